//! The group page's members: a table with Dioptra's columns and, for those who may change a
//! member, checkboxes and buttons in the row; and the form that finds accounts to add.

use leptos::{prelude::*, server_fn::ServerFn};

use super::{MEMBERS_PAGE, Powers};
use crate::{
    pages::Flag,
    presentation::{Permission, PermissionFlags},
    server_fns::{AddMember as AddMemberFn, ChangeMember, MakeOwner, RemoveMember},
    ssr::accounts::{GroupDetails, GroupMember},
};

/// How many accounts a search for members to add lists.
const FOUND_SHOWN: i64 = 10;

/// Accounts found to add, each with whether it is already a member; or why the search failed.
pub type Found = Result<(String, Vec<(i64, String, bool)>), (String, String)>;

/// Accounts matching `search` (the API's search language; a bare word is a username prefix).
pub async fn find(group_id: i64, viewer_id: i64, search: String) -> Found {
    let query = if search.contains(':') || search.contains(',') {
        search.clone()
    } else {
        format!("username:{}*", search.trim())
    };
    let terms = crate::domain::parse_search(&query)
        .and_then(|terms| crate::domain::check_fields(&terms, &["username", "email"]).map(|()| terms))
        .map_err(|error| (search.clone(), if error.over_limit { error.sentence() } else { error.reason }))?;
    let accounts = crate::ssr::accounts();
    let page = accounts.list_users(&terms, 0, FOUND_SHOWN).await.map_err(|e| (search.clone(), e.to_string()))?;
    let mut found = Vec::with_capacity(page.items.len());
    for user in page.items {
        let member = accounts.group_member(group_id, user.user_id, viewer_id).await.is_ok();
        found.push((user.user_id, user.username, member));
    }
    Ok((search, found))
}

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
        <nav class="pager" aria-label="Pages of members">
            {previous.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
            {next.map(|href| view! { <a href=href rel="next">"Next"</a> })}
        </nav>
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

/// Finding accounts by name and adding them (admins): a GET form that reloads the page with the
/// results, each with an Add button.
#[component]
pub fn AddMember(group_id: i64, found: Option<Found>) -> impl IntoView {
    let (search, results, error) = match found {
        None => (String::new(), None, None),
        Some(Ok((search, results))) => (search, Some(results), None),
        Some(Err((search, error))) => (search, None, Some(error)),
    };
    view! {
        <h2 id="add-member">"Add member"</h2>
        <form class="search" method="get" action=format!("/groups/{group_id}#add-member") role="search" aria-labelledby="add-member">
            <label for="member-search">"Search user"</label>
            <div class="search-row">
                <input id="member-search" name="find" type="search" value=search
                    maxlength=crate::domain::MAX_SEARCH_CHARS.to_string() aria-describedby="member-search-help"/>
                <button class="button button-primary" type="submit">"Search"</button>
            </div>
            <p class="hint" id="member-search-help">
                "The start of a username, or the users directory's search, e.g. " <code>"email:*@example.org"</code> "."
            </p>
        </form>
        {error.map(|text| view! { <p class="notice notice-error" role="alert">{format!("The search could not be understood: {text}")}</p> })}
        {results.map(|results| view! {
            <h3>"Search results"</h3>
            {results.is_empty().then(|| view! { <p>"No users match."</p> })}
            <ul class="found-list" aria-label="Search results">
                {results.into_iter().map(|(user_id, username, member)| view! {
                    <li>
                        <span>{username.clone()}</span>
                        {if member {
                            view! { <span class="badge">"Member"</span> }.into_any()
                        } else {
                            view! {
                                <form method="post" action=AddMemberFn::PATH>
                                    <input type="hidden" name="group_id" value=group_id.to_string()/>
                                    <input type="hidden" name="user_id" value=user_id.to_string()/>
                                    <button class="button button-secondary" type="submit" aria-label=format!("Add {username}")>"Add"</button>
                                </form>
                            }.into_any()
                        }}
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}
