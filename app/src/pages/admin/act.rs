//! `/admin/act?act=…&user=…`: the page that confirms an administrative act before it is done:
//! what the act will do, and its button; or, when the password was last typed on this session
//! more than 10 minutes ago, the **Password** field and **Confirm**, which confirm and act at
//! once.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::administrator;
use crate::{
    pages::{error_from_url, not_found::NotFound},
    server_fns::ActOnAccount,
    ssr::accounts::{AdminAct, confirmed_recently},
};

#[component]
pub fn AdminActPage() -> impl IntoView {
    let query = use_query_map();
    let (act, user_id, back) = query.with_untracked(|q| {
        let act = q.get("act").as_deref().and_then(AdminAct::from_slug);
        let user_id = q.get("user").and_then(|id| id.parse::<i64>().ok());
        let back = q.get("back").unwrap_or_default();
        (act, user_id, crate::server_fns::accounts_page(&back).to_owned())
    });
    let error = error_from_url(ActOnAccount::PATH);
    view! {
        <Title text="Confirm"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(signed_in) = administrator() else { return view! { <NotFound/> }.into_any() };
                let (Some(act), Some(user_id)) = (act, user_id) else { return view! { <NotFound/> }.into_any() };
                let Ok(Some(account)) = crate::ssr::accounts().admin_account(user_id).await else {
                    return view! { <NotFound/> }.into_any();
                };
                let fresh = confirmed_recently(&signed_in);
                let danger = matches!(act, AdminAct::Disable | AdminAct::Delete);
                let button_class = if danger { "button button-danger" } else { "button button-primary" };
                let heading = act.question(&account.username);
                view! {
                    <section class="card" aria-labelledby="act-heading">
                        <p class="breadcrumb"><a href=back.clone()>"Accounts"</a></p>
                        <h1 id="act-heading">{heading}</h1>
                        <p class="card-lead">{act.consequence(&account.username)}</p>
                        {error.map(|error| view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> })}
                        <form class="form" method="post" action=ActOnAccount::PATH>
                            <input type="hidden" name="act" value=act.slug()/>
                            <input type="hidden" name="user_id" value=user_id.to_string()/>
                            <input type="hidden" name="back" value=back.clone()/>
                            {if fresh {
                                view! { <button class=button_class type="submit">{act.label()}</button> }.into_any()
                            } else {
                                view! {
                                    <p class="hint" id="confirm-help">
                                        "Administrative acts need your password typed within the last 10 minutes. "
                                        "Enter it to confirm; the act is done right after."
                                    </p>
                                    <div class="field">
                                        <label for="confirm-password">"Password"</label>
                                        <input id="confirm-password" name="password" type="password" required
                                            autocomplete="current-password" aria-describedby="confirm-help"/>
                                    </div>
                                    <button class=button_class type="submit">"Confirm"</button>
                                }.into_any()
                            }}
                        </form>
                        <p class="card-footer"><a href=back>"Cancel"</a></p>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
