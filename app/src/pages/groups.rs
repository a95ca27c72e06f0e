//! `/groups`: the groups the viewer may see (public ones, and private ones it belongs to), with
//! its permissions in each as Dioptra's columns, fifty to a page, and the form that creates a
//! group. Each name opens the group's own page (`group/`).

use std::collections::HashMap;

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Flag, Pager, error_from_url};
use crate::{
    domain::{Field, MAX_GROUP_NAME_CHARS},
    presentation::{Permission, PermissionFlags},
    server_fns::CreateGroup,
};

/// Groups listed per page.
const GROUPS_PAGE: i64 = 50;

/// One row of the groups page: a group, and the viewer's permissions in it (none if it is a
/// public group the viewer is not in).
#[derive(Clone, Debug)]
struct GroupRow {
    id: i64,
    /// The name, or `creator:name` where two listed groups share a name.
    label: String,
    public: bool,
    permissions: Option<PermissionFlags>,
}

struct Listing {
    rows: Vec<GroupRow>,
    total: i64,
    error: Option<String>,
}

async fn listing(index: i64) -> Option<Listing> {
    let user_id = crate::ssr::signed_in()?.user.user_id;
    let accounts = crate::ssr::accounts();
    let page = match accounts.list_groups(user_id, &[], index, GROUPS_PAGE, 0).await {
        Ok(page) => page,
        Err(error) => return Some(Listing { rows: Vec::new(), total: 0, error: Some(error.to_string()) }),
    };
    let mine: HashMap<i64, PermissionFlags> = accounts
        .memberships(user_id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|membership| (membership.group_id, PermissionFlags::from(membership)))
        .collect();
    let mut name_counts: HashMap<&str, usize> = HashMap::new();
    for group in &page.items {
        *name_counts.entry(group.name.as_str()).or_default() += 1;
    }
    let rows = page
        .items
        .iter()
        .map(|group| GroupRow {
            id: group.group_id,
            label: if name_counts[group.name.as_str()] > 1 {
                format!("{}:{}", group.creator_username, group.name)
            } else {
                group.name.clone()
            },
            public: group.is_public,
            permissions: mine.get(&group.group_id).copied(),
        })
        .collect();
    Some(Listing { rows, total: page.total, error: None })
}

/// `/groups`: the groups the viewer may see, its permissions in each, and a form to create one.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let query = use_query_map();
    let index = query.with_untracked(|q| q.get("index")).and_then(|i| i.parse::<i64>().ok()).unwrap_or(0).max(0);
    let notice = query.with_untracked(|q| match (q.get("deleted"), q.get("left")) {
        (Some(_), _) => Some("The group was deleted."),
        (None, Some(_)) => Some("You left the group."),
        (None, None) => None,
    });
    view! {
        <Title text="Groups"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(Listing { rows, total, error }) = listing(index).await else {
                    super::send_to_login();
                    return ().into_any();
                };
                let link = |index: i64| format!("/groups?index={index}");
                let previous = (index > 0).then(|| link((index - GROUPS_PAGE).max(0)));
                let next = (index.saturating_add(GROUPS_PAGE) < total).then(|| link(index + GROUPS_PAGE));
                view! {
                    <section class="card card-wide" aria-labelledby="groups-heading">
                        <h1 id="groups-heading">"Groups"</h1>
                        <p class="card-lead">"Controls access to shared resources."</p>
                        {notice.map(|text| view! { <p class="notice notice-success" role="status">{text}</p> })}
                        {error.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
                        // Focusable, so that a table wider than a phone can be scrolled by keyboard.
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Groups you can see">
                            <table class="table">
                                <caption class="visually-hidden">"The groups you can see and your permissions in each"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Name"</th>
                                        {Permission::ALL.map(|p| view! { <th scope="col">{p.label()}</th> }).collect_view()}
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|row| view! {
                                        <tr>
                                            <th scope="row">
                                                <a href=format!("/groups/{}", row.id)>{row.label}</a>
                                                {(!row.public).then(|| view! { " " <span class="badge">"Private"</span> })}
                                            </th>
                                            {Permission::ALL.map(|p| {
                                                let on = row.permissions.is_some_and(|flags| flags.grants(p));
                                                view! { <td><Flag on/></td> }
                                            }).collect_view()}
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager previous next label="Pages"/>
                        <CreateGroupForm/>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

/// The form that creates a group: its name, and whether everyone or only its members see it.
#[component]
fn CreateGroupForm() -> impl IntoView {
    let error = error_from_url(CreateGroup::PATH);
    let name_error =
        error.as_ref().and_then(|e| e.field_errors()).and_then(|f| f.get(Field::GroupName)).map(str::to_owned);
    let other_error = error.filter(|_| name_error.is_none()).map(|e| e.to_string());
    let field_class = if name_error.is_some() { "field field-invalid" } else { "field" };
    let invalid = name_error.is_some().then_some("true");
    view! {
        <h2 id="create-group">"Create group"</h2>
        <p class="hint">"You become its owner: you can add members, choose what each may do, and make others admins."</p>
        {other_error.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
        <form class="form" method="post" action=CreateGroup::PATH aria-labelledby="create-group">
            <div class=field_class>
                <label for="group-name">"Group name"</label>
                <input id="group-name" name="name" type="text" required
                    maxlength=MAX_GROUP_NAME_CHARS.to_string()
                    aria-invalid=invalid
                    aria-describedby="group-name-error"/>
                <p class="field-error" id="group-name-error">{name_error}</p>
            </div>
            <fieldset class="choice">
                <legend>"Who sees it"</legend>
                <label><input type="radio" name="visibility" value="public" checked/>" Everyone (public)"</label>
                <label><input type="radio" name="visibility" value="private"/>" Only its members (private)"</label>
            </fieldset>
            <button class="button button-primary" type="submit">"Create group"</button>
        </form>
    }
}
