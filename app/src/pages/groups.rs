//! `/groups`: the viewer's groups with their permissions in each, and each group's first members
//! (`public` holds every account; the users directory lists them all).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::presentation::{Permission, PermissionFlags};

/// One row of the groups page: a group and the viewer's permissions in it, and its members.
#[derive(Clone, Debug)]
struct GroupRow {
    name: String,
    permissions: PermissionFlags,
    /// The first members' names (marked if the account is deleted) and permissions.
    members: Vec<(String, PermissionFlags)>,
    /// Whether the group has more members than those listed.
    more_members: bool,
}

/// The most members the page lists for a group.
const MEMBERS_SHOWN: i64 = 50;

async fn group_rows() -> Option<Vec<GroupRow>> {
    let user_id = crate::ssr::signed_in()?.user.user_id;
    let accounts = crate::ssr::accounts();
    let mut rows = Vec::new();
    for m in accounts.memberships(user_id).await.ok()? {
        let group = accounts.group(m.group_id, user_id, MEMBERS_SHOWN).await.ok().flatten();
        let more_members = group.as_ref().is_some_and(|g| g.more_members);
        let members = group.map(|g| g.members).unwrap_or_default();
        rows.push(GroupRow {
            more_members,
            permissions: PermissionFlags::from(&m),
            name: m.group_name,
            members: members
                .into_iter()
                .map(|member| {
                    let permissions = PermissionFlags::from(&member);
                    let name =
                        if member.is_deleted { format!("{} (deleted)", member.username) } else { member.username };
                    (name, permissions)
                })
                .collect(),
        });
    }
    Some(rows)
}

/// `/groups`: the viewer's groups with their permissions, and each group's members.
#[component]
pub fn GroupsPage() -> impl IntoView {
    view! {
        <Title text="Groups"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(rows) = group_rows().await else {
                    leptos_axum::redirect("/");
                    return ().into_any();
                };
                view! {
                    <section class="card card-wide" aria-labelledby="groups-heading">
                        <h1 id="groups-heading">"Groups"</h1>
                        <p class="card-lead">"Controls access to shared resources."</p>
                        // Focusable, so that a table wider than a phone can be scrolled by keyboard.
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Your groups">
                            <table class="table">
                                <caption class="visually-hidden">"Your groups and your permissions in each"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Name"</th>
                                        {Permission::ALL.map(|p| view! { <th scope="col">{p.label()}</th> }).collect_view()}
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.iter().map(|row| view! {
                                        <tr>
                                            <th scope="row">{row.name.clone()}</th>
                                            {Permission::ALL.map(|p| view! { <td><Flag on=row.permissions.grants(p)/></td> }).collect_view()}
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <p class="hint">
                            "Dioptra does not support the creation of additional groups: everyone belongs to the default public group."
                        </p>
                        {rows.into_iter().map(|row| view! {
                            <h2>{format!("Members of {}", row.name)}</h2>
                            <ul class="member-list">
                                {row.members.into_iter().map(|(username, permissions)| view! {
                                    <li class="group">
                                        <span class="group-name">{username}</span>
                                        <ul class="badges" aria-label="Permissions">
                                            {permissions.granted().map(|p| view! { <li class="badge">{p.label()}</li> }).collect_view()}
                                        </ul>
                                    </li>
                                }).collect_view()}
                            </ul>
                            {row.more_members.then(|| view! {
                                <p class="hint more-members">
                                    {format!("Only the first {MEMBERS_SHOWN} members are listed, in the order they joined. The ")}
                                    <a href="/users">"users directory"</a>
                                    " lists every account."
                                </p>
                            })}
                        }).collect_view()}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

/// A yes/no table cell that reads as words to a screen reader.
#[component]
fn Flag(on: bool) -> impl IntoView {
    if on {
        view! { <span class="flag flag-on" role="img" aria-label="Yes">"✓"</span> }.into_any()
    } else {
        view! { <span class="flag flag-off" role="img" aria-label="No">"–"</span> }.into_any()
    }
}
