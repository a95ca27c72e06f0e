//! `/admin/accounts`: every account (deleted ones too) with its status, last login and open
//! sessions, searchable with the API's search language, twenty to a page; each row has the
//! buttons of the acts that apply to it, each leading to the page that confirms it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AdminNav, Section, administrator};
use crate::{
    pages::{Pager, not_found::NotFound, users::EmailAddress},
    presentation::{count_in_words, date_in_words},
    ssr::{
        accounts::{ACCOUNTS_WINDOW, AccountStatus, ActDone, AdminAccount, AdminAct, reset_url},
        clock::now_micros,
    },
};

const ACCOUNTS_PAGE: i64 = 20;

/// The address of a page of the table.
fn page_link(search: &str, index: i64) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if !search.is_empty() {
        query.append_pair("search", search);
    }
    if index > 0 {
        query.append_pair("index", &index.to_string());
    }
    let query = query.finish();
    if query.is_empty() { "/admin/accounts".to_owned() } else { format!("/admin/accounts?{query}") }
}

/// Who is looking at the table.
#[derive(Clone, Copy)]
struct Viewer {
    user_id: i64,
    /// The owner of `public`, who alone grants the admin role and acts on other administrators.
    owner: bool,
}

/// The acts that apply to an account, as `viewer` may do them.
fn acts_for(account: &AdminAccount, viewer: Viewer) -> Vec<AdminAct> {
    let viewer_id = viewer.user_id;
    let another_administrator = account.is_administrator && account.user_id != viewer_id;
    if account.deleted_on.is_some() || (another_administrator && !viewer.owner) {
        return Vec::new();
    }
    let protected = account.is_owner || account.user_id == viewer_id;
    let status = account.status(now_micros());
    let mut acts = Vec::new();
    match status {
        AccountStatus::Disabled => acts.push(AdminAct::Enable),
        _ if !protected => acts.push(AdminAct::Disable),
        _ => {}
    }
    if status != AccountStatus::PasswordExpired {
        acts.push(AdminAct::ExpirePassword);
    }
    if status != AccountStatus::Disabled && account.user_id != viewer_id {
        acts.push(AdminAct::ResetLink);
    }
    if account.open_sessions > 0 {
        acts.push(AdminAct::EndSessions);
    }
    if account.has_second_factor && account.user_id != viewer_id {
        acts.push(AdminAct::RemoveSecondFactor);
    }
    if viewer.owner && !account.is_administrator {
        acts.push(AdminAct::MakeAdmin);
    } else if viewer.owner && !account.is_owner {
        acts.push(AdminAct::RemoveAdmin);
    }
    if !protected {
        acts.push(AdminAct::Delete);
    }
    acts
}

#[component]
pub fn AdminAccountsPage() -> impl IntoView {
    let query = use_query_map();
    let (search, index, done) = query.with_untracked(|q| {
        let index = q.get("index").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0).max(0);
        let done = q
            .get("done")
            .as_deref()
            .and_then(AdminAct::from_slug)
            .zip(q.get("user").and_then(|id| id.parse::<i64>().ok()));
        let ended = q.get("ended").and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
        (q.get("search").unwrap_or_default(), index, done.map(|(act, user_id)| (act, user_id, ended)))
    });
    view! {
        <Title text="Accounts · Administration"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(signed_in) = administrator() else { return view! { <NotFound/> }.into_any() };
                let accounts = crate::ssr::accounts();
                let done = match done {
                    Some((act, user_id, sessions_ended)) => accounts.admin_account(user_id).await.ok().flatten().map(|account| {
                        ActDone { act, user_id, username: account.username, sessions_ended, reset_link: None }
                    }),
                    None => None,
                };
                let notice = match done {
                    Some(done) => {
                        let link = match done.act {
                            AdminAct::ResetLink => Some(reset_link_carried(done.user_id, signed_in.user.user_id).await),
                            _ => None,
                        };
                        Some(view! { <ActNotice done link/> })
                    }
                    None => None,
                };
                forget_carried_link();
                let parsed = crate::domain::parse_search(&search)
                    .and_then(|terms| crate::domain::check_fields(&terms, &["username", "email"]).map(|()| terms));
                let listing = match parsed {
                    Ok(terms) => accounts.admin_accounts(&terms, index, ACCOUNTS_PAGE).await.map_err(|error| error.to_string()),
                    Err(error) if error.over_limit => Err(error.sentence()),
                    Err(error) => Err(format!("The search could not be understood: {}.", error.reason)),
                };
                let (rows, total, error) = match listing {
                    Ok(page) => (page.items, page.total, None),
                    Err(error) => (Vec::new(), 0, Some(error)),
                };
                let previous = (index > 0).then(|| page_link(&search, (index - ACCOUNTS_PAGE).max(0)));
                let next_index = index.saturating_add(ACCOUNTS_PAGE);
                let next = (next_index < total && next_index < ACCOUNTS_WINDOW).then(|| page_link(&search, next_index));
                let of = if total > ACCOUNTS_WINDOW {
                    format!("more than {}", count_in_words(ACCOUNTS_WINDOW))
                } else {
                    count_in_words(total)
                };
                let shown = if rows.is_empty() {
                    "No accounts match.".to_owned()
                } else {
                    let last = index.saturating_add(i64::try_from(rows.len()).unwrap_or(i64::MAX));
                    format!("Accounts {} to {last} of {of}", index.saturating_add(1))
                };
                let deepest = (next.is_none() && total > ACCOUNTS_WINDOW).then(|| {
                    format!("The table goes {} accounts deep: narrow the search to see further.", count_in_words(ACCOUNTS_WINDOW))
                });
                let back = page_link(&search, index);
                let viewer_id = signed_in.user.user_id;
                let owner = matches!(accounts.admin_account(viewer_id).await, Ok(Some(me)) if me.is_owner);
                let viewer = Viewer { user_id: viewer_id, owner };
                let no_rows = rows.is_empty();
                view! {
                    <section class="card card-table" aria-labelledby="accounts-heading">
                        <h1 id="accounts-heading">"Accounts"</h1>
                        <AdminNav current=Section::Accounts/>
                        {notice}
                        <form class="search" method="get" action="/admin/accounts" role="search">
                            <label for="account-search">"Search"</label>
                            <div class="search-row">
                                <input id="account-search" name="search" type="search" value=search.clone()
                                    maxlength=crate::domain::MAX_SEARCH_CHARS.to_string() aria-describedby="account-search-help"/>
                                <button class="button button-primary" type="submit">"Search"</button>
                            </div>
                            <p class="hint" id="account-search-help">
                                "As on the Users page: a word, or " <code>"username:al*"</code> ", " <code>"email:*@example.org"</code> "."
                            </p>
                        </form>
                        {error.map(|e| view! { <p class="notice notice-error" role="alert">{e}</p> })}
                        <p role="status">{shown}</p>
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Accounts table" hidden=no_rows>
                            <table class="table admin-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Username"</th>
                                        <th scope="col">"Email"</th>
                                        <th scope="col">"Created"</th>
                                        <th scope="col">"Last login"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Sessions"</th>
                                        <th scope="col">"Actions"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|account| account_row(account, viewer, &back)).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager previous next label="Pages of accounts"/>
                        {deepest.map(|text| view! { <p class="hint">{text}</p> })}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

fn account_row(account: AdminAccount, viewer: Viewer, back: &str) -> impl IntoView {
    let status = account.status(now_micros());
    let acts = acts_for(&account, viewer);
    let role = if account.is_owner {
        Some("owner")
    } else if account.is_administrator {
        Some("admin")
    } else {
        None
    };
    let buttons = acts
        .into_iter()
        .map(|act| {
            let class = if matches!(act, AdminAct::Disable | AdminAct::Delete) {
                "button button-danger-quiet"
            } else {
                "button button-secondary"
            };
            view! {
                <form method="get" action="/admin/act">
                    <input type="hidden" name="act" value=act.slug()/>
                    <input type="hidden" name="user" value=account.user_id.to_string()/>
                    <input type="hidden" name="back" value=back.to_owned()/>
                    <button class=class type="submit">{act.label()}</button>
                </form>
            }
        })
        .collect_view();
    view! {
        <tr>
            <th scope="row">
                {account.username.clone()}
                {role.map(|role| view! { " " <span class="badge">{role}</span> })}
            </th>
            <td><EmailAddress email=account.email.clone()/></td>
            <td>{date_in_words(account.created_on)}</td>
            <td>{account.last_login_on.map_or_else(|| "never".to_owned(), date_in_words)}</td>
            <td>
                <span class=format!("status status-{}", status.words().replace(' ', "-"))>{status.words()}</span>
                {account.has_second_factor.then(|| view! { " " <span class="badge">"Two-step"</span> })}
            </td>
            <td>{account.open_sessions.to_string()}</td>
            <td class="actions admin-actions">{buttons}</td>
        </tr>
    }
}

/// The reset link that the act's answer left in its cookie for account `user_id`, as a whole
/// URL: only a working link of that account that `viewer_id` made, so a cookie planted by
/// someone else shows nothing. `None` when there is none (the page was reloaded, the cookie's
/// time ran out).
async fn reset_link_carried(user_id: i64, viewer_id: i64) -> Option<String> {
    let accounts = crate::ssr::accounts();
    let (for_user, token, origin) = use_context::<http::request::Parts>()
        .and_then(|parts| accounts.settings().cookies.reset_link_from_headers(&parts.headers))?;
    let made = for_user == user_id && accounts.is_link_made_by(&token, user_id, viewer_id).await.unwrap_or(false);
    made.then(|| reset_url(&origin, &token))
}

/// Clears the reset link's cookie, if the request brought one: it is shown once, on the first
/// page of the table that follows the act, and never again.
fn forget_carried_link() {
    let cookies = crate::ssr::accounts().settings().cookies;
    let carried = use_context::<http::request::Parts>().is_some_and(|parts| cookies.has_reset_link(&parts.headers));
    if carried {
        crate::ssr::append_response_header(http::header::SET_COOKIE, &cookies.clear_reset_link());
    }
}

/// What the last act did; after a reset link, the link itself (shown only now) with its Copy
/// button, or why it is no longer shown.
#[component]
fn ActNotice(done: ActDone, link: Option<Option<String>>) -> impl IntoView {
    let sentence = done.sentence();
    let username = done.username;
    match link {
        None => view! { <p class="notice notice-success" role="status">{sentence}</p> }.into_any(),
        Some(None) => view! {
            <p class="notice notice-info" role="status">
                "The reset link for " {username} " was shown once and is not shown again. If it is lost, make a new one: "
                "the old one then stops working."
            </p>
        }
        .into_any(),
        Some(Some(url)) => view! {
            <div class="notice notice-success shown-once" role="status">
                <p>{sentence}</p>
                <label for="reset-link">"Reset link for " {username.clone()}</label>
                <div class="copy-row">
                    <input id="reset-link" type="text" readonly value=url aria-describedby="reset-link-help"/>
                    <button class="button button-secondary" type="button" data-copy="reset-link"
                        data-copy-status="reset-link-copied" hidden>"Copy"</button>
                </div>
                <p class="hint" id="reset-link-help">
                    "Hand it to " {username} " yourself, by a channel you trust. It is shown only now."
                    " " <span id="reset-link-copied" role="status"></span>
                </p>
            </div>
        }
        .into_any(),
    }
}
