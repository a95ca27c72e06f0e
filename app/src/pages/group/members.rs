//! The group page's members: a table with Dioptra's columns and, for those who may change a
//! member, checkboxes and buttons in the row; and the accounts a search for members to add found.

use leptos::{prelude::*, server_fn::ServerFn};

use super::{MEMBERS_PAGE, Powers};
use crate::{
    pages::{Flag, Pager},
    presentation::{Permission, PermissionFlags},
    server_fns::{AddMember, ChangeMember, FoundAccount, MakeOwner, RemoveMember},
    ssr::accounts::{GroupDetails, GroupMember},
};

/// What the viewer may do to one member.
struct RowPowers {
    /// Change its read, write and share permissions.
    edit: bool,
    /// Grant or take back admin.
    admin: bool,
    make_owner: bool,
    remove: bool,
}

fn row_powers(powers: Powers, member: &GroupMember) -> RowPowers {
    let manager = member.is_admin || member.is_owner;
    let themselves = member.user_id == powers.viewer_id;
    let live = !member.is_deleted;
    RowPowers {
        edit: live && powers.admin && !member.is_owner && (!manager || powers.owner || themselves),
        admin: live && powers.owner && !member.is_owner,
        make_owner: live && powers.owner && !member.is_owner,
        remove: !powers.default_group
            && powers.admin
            && !member.is_owner
            && !themselves
            && (!member.is_admin || powers.owner),
    }
}

/// The group's members, a page at a time, with what the viewer may do to each.
#[component]
pub fn MembersTable(group: GroupDetails, powers: Powers, index: i64) -> impl IntoView {
    let group_id = group.group_id;
    let previous = (index > 0).then(|| format!("/groups/{group_id}?index={}#members", (index - MEMBERS_PAGE).max(0)));
    let next = group.more_members.then(|| format!("/groups/{group_id}?index={}#members", index + MEMBERS_PAGE));
    let first = index.saturating_add(1);
    let last = index.saturating_add(i64::try_from(group.members.len()).unwrap_or(i64::MAX));
    view! {
        <h2 id="members">"Group members"</h2>
        <p role="status">{format!("Members {first} to {last}, in the order they joined")}</p>
        <div class="table-scroll" tabindex="0" role="region" aria-label="Group members">
            <table class="table">
                <caption class="visually-hidden">"The group's members and their permissions"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        {Permission::ALL.map(|p| view! { <th scope="col">{p.label()}</th> }).collect_view()}
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {group.members.into_iter().map(|member| member_row(group_id, powers, member)).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager previous next label="Pages of members"/>
    }
}

fn member_row(group_id: i64, powers: Powers, member: GroupMember) -> impl IntoView {
    let can = row_powers(powers, &member);
    let flags = PermissionFlags::from(&member);
    let form_id = format!("member-{}", member.user_id);
    let name = if member.is_deleted { format!("{} (deleted)", member.username) } else { member.username.clone() };
    let cells = Permission::ALL.map(|permission| {
        let editable = match permission {
            Permission::Admin => can.admin,
            Permission::Owner => false,
            _ => can.edit,
        };
        let on = flags.grants(permission);
        if editable {
            let label = format!("{} for {}", permission.label(), member.username);
            view! {
                <td>
                    <input type="checkbox" form=form_id.clone() name=permission.form_name() checked=on aria-label=label/>
                </td>
            }
            .into_any()
        } else {
            view! { <td><Flag on/></td> }.into_any()
        }
    });
    let ids = move || {
        view! {
            <input type="hidden" name="group_id" value=group_id.to_string()/>
            <input type="hidden" name="user_id" value=member.user_id.to_string()/>
        }
    };
    let who = member.username.clone();
    view! {
        <tr>
            <th scope="row">{name}</th>
            {cells.into_iter().collect_view()}
            <td class="actions">
                {(can.edit || can.admin).then(|| view! {
                    <form id=form_id.clone() method="post" action=ChangeMember::PATH>
                        {ids()}
                        {can.admin.then(|| view! { <input type="hidden" name="admin_offered" value="1"/> })}
                        <button class="button button-secondary" type="submit" aria-label=format!("Save permissions of {who}")>"Save"</button>
                    </form>
                })}
                {can.make_owner.then(|| view! {
                    <form method="post" action=MakeOwner::PATH>
                        {ids()}
                        <button class="button button-secondary" type="submit" aria-label=format!("Make {who} the owner")>"Make owner"</button>
                    </form>
                })}
                {can.remove.then(|| view! {
                    <form method="post" action=RemoveMember::PATH>
                        {ids()}
                        <button class="button button-secondary" type="submit" aria-label=format!("Remove {who}")>"Remove"</button>
                    </form>
                })}
            </td>
        </tr>
    }
}

/// The accounts a search for members to add found, each with an Add button (a plain form), or
/// why the search failed. Rendered on the server for the page and for the member search island.
pub fn found_accounts(group_id: i64, found: Option<Result<Vec<FoundAccount>, String>>) -> impl IntoView {
    let (results, error) = match found {
        None => (None, None),
        Some(Ok(results)) => (Some(results), None),
        Some(Err(error)) => (None, Some(error)),
    };
    let status = results.as_ref().map(|found| match found.len() {
        0 => "No users match.".to_owned(),
        1 => "1 user found.".to_owned(),
        n => format!("{n} users found."),
    });
    view! {
        {error.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
        <p role="status">{status}</p>
        {results.map(|results| view! {
            <ul class="found-list" aria-label="Search results">
                {results.into_iter().map(|account| {
                    let label = format!("Add {}", account.username);
                    view! {
                        <li>
                            <span>{account.username}</span>
                            {if account.member {
                                view! { <span class="badge">"Member"</span> }.into_any()
                            } else {
                                view! {
                                    <form method="post" action=AddMember::PATH>
                                        <input type="hidden" name="group_id" value=group_id.to_string()/>
                                        <input type="hidden" name="user_id" value=account.user_id.to_string()/>
                                        <button class="button button-secondary" type="submit" aria-label=label>"Add"</button>
                                    </form>
                                }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}
