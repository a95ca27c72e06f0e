//! `/groups/{id}`: one group's page. Everyone who may see the group sees its members and their
//! permissions; the controls are shown only to those who may use them (the server refuses the
//! rest anyway): admins add, change and remove members and rename the group, the owner also
//! manages admins, hands ownership on and deletes the group, and any member but the owner leaves.
//! Plain forms and GET links only: no island, and everything works without JavaScript.
//!
//! This file loads the group and lays out the page; `members.rs` has the members table and the
//! form that finds accounts to add.

mod members;

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use self::members::MembersTable;
pub(crate) use self::members::found_accounts;
use super::error_from_url;
use crate::{
    domain::{Field, MAX_GROUP_NAME_CHARS},
    error::AccountError,
    islands::MemberSearch,
    server_fns::{
        AddMember as AddMemberFn, ChangeMember, DeleteGroup, FoundAccount, MakeOwner, RemoveMember, RenameGroup,
        find_accounts,
    },
    ssr::accounts::{GroupDetails, GroupMember},
};

/// Members listed per page.
pub const MEMBERS_PAGE: i64 = 50;

/// What the viewer may do in the group.
#[derive(Clone, Copy, Debug, Default)]
pub struct Powers {
    pub viewer_id: i64,
    pub member: bool,
    pub admin: bool,
    pub owner: bool,
    /// The default group: nobody joins or leaves it, and it keeps its name.
    pub default_group: bool,
}

/// A search for accounts to add, as the page was asked for it (`?find=`): the search, and its
/// results or why there are none.
struct Search {
    search: String,
    found: Result<Vec<FoundAccount>, String>,
}

struct GroupView {
    group: GroupDetails,
    powers: Powers,
    index: i64,
    search: Option<Search>,
}

async fn load(group_id: i64, index: i64, find: Option<String>) -> Result<Option<GroupView>, AccountError> {
    let Some(viewer) = crate::ssr::signed_in() else { return Err(AccountError::Unauthenticated) };
    let viewer_id = viewer.user.user_id;
    let accounts = crate::ssr::accounts();
    let Some(group) = accounts.group_with_members_from(group_id, viewer_id, index, MEMBERS_PAGE).await? else {
        return Ok(None);
    };
    let me: Option<GroupMember> = accounts.group_member(group_id, viewer_id, viewer_id).await.ok();
    let powers = Powers {
        viewer_id,
        member: me.is_some(),
        admin: me.as_ref().is_some_and(|m| m.is_admin || m.is_owner),
        owner: me.as_ref().is_some_and(|m| m.is_owner),
        default_group: group.is_default,
    };
    let search = match find {
        Some(search) if powers.admin && !powers.default_group => {
            let found = find_accounts(group_id, &search).await.map_err(|error| error.to_string());
            Some(Search { search, found })
        }
        _ => None,
    };
    Ok(Some(GroupView { group, powers, index, search }))
}

/// `/groups/{id}`: a group, its members, and what the viewer may do there.
#[component]
pub fn GroupPage() -> impl IntoView {
    let group_id = use_params_map().with_untracked(|p| p.get("id")).and_then(|id| id.parse::<i64>().ok());
    let query = use_query_map();
    let index = query.with_untracked(|q| q.get("index")).and_then(|i| i.parse::<i64>().ok()).unwrap_or(0).max(0);
    let find = query.with_untracked(|q| q.get("find"));
    let saved = query.with_untracked(|q| q.get("saved"));
    view! {
        <Suspense>
            {Suspend::new(async move {
                let loaded = match group_id.filter(|id| *id > 0) {
                    Some(id) => load(id, index, find).await,
                    None => Ok(None),
                };
                match loaded {
                    Err(AccountError::Unauthenticated) => {
                        super::send_to_login();
                        ().into_any()
                    }
                    Err(error) => view! {
                        <Title text="Group"/>
                        <section class="card card-wide">
                            <h1>"Group"</h1>
                            <p class="notice notice-error" role="alert">{error.to_string()}</p>
                        </section>
                    }.into_any(),
                    Ok(None) => {
                        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                            response.set_status(http::StatusCode::NOT_FOUND);
                        }
                        view! {
                            <Title text="No such group"/>
                            <section class="card card-wide">
                                <h1>"No such group"</h1>
                                <p>"This group does not exist, was deleted, or is private to its members."</p>
                                <p><a href="/groups">"All groups"</a></p>
                            </section>
                        }.into_any()
                    }
                    Ok(Some(view)) => group_page(view, saved.clone()).into_any(),
                }
            })}
        </Suspense>
    }
}

fn notice(saved: Option<&str>) -> Option<&'static str> {
    Some(match saved? {
        "created" => "Group created. You are its owner.",
        "renamed" => "The group was renamed.",
        "added" => "Member added. They can read; give them more below.",
        "changed" => "Permissions saved.",
        "owner" => "Ownership passed on. You stay an admin of this group.",
        "removed" => "Member removed.",
        _ => return None,
    })
}

/// The first error a group form left in the URL, with the field it names (if any).
fn form_error() -> Option<AccountError> {
    [RenameGroup::PATH, DeleteGroup::PATH, AddMemberFn::PATH, ChangeMember::PATH, MakeOwner::PATH, RemoveMember::PATH]
        .into_iter()
        .find_map(error_from_url)
}

fn group_page(view: GroupView, saved: Option<String>) -> impl IntoView {
    let GroupView { group, powers, index, search } = view;
    let error = form_error();
    let heading = group.name.clone();
    let visibility = if group.is_public { "Public: every account sees it" } else { "Private: only its members see it" };
    // Each section's view type erased: the page's whole type nested too deep for the compiler.
    let manages = powers.admin && !powers.default_group;
    let adder = manages.then(|| add_member(group.group_id, search).into_any());
    let renamer = manages.then(|| rename_form(&group).into_any());
    let leaver = (powers.member && !powers.owner && !powers.default_group)
        .then(|| leave_form(group.group_id, powers.viewer_id).into_any());
    let deleter = (powers.owner && !powers.default_group).then(|| delete_form(&group).into_any());
    let members = view! { <MembersTable group=group.clone() powers index/> }.into_any();
    let creator =
        if group.is_default { "Everyone's group".to_owned() } else { format!("Created by {}", group.creator_username) };
    view! {
        <Title text=format!("Group {heading}")/>
        <section class="card card-wide card-table" aria-labelledby="group-heading">
            <p class="breadcrumb"><a href="/groups">"Groups"</a></p>
            <h1 id="group-heading">{heading}</h1>
            <p class="card-lead">{creator} " · " {visibility}</p>
            {notice(saved.as_deref()).map(|text| view! { <p class="notice notice-success" role="status">{text}</p> })}
            {error.map(|e| view! { <p class="notice notice-error" role="alert">{error_text(&e)}</p> })}
            {members}
            {adder}
            {renamer}
            {leaver}
            {deleter}
        </section>
    }
}

/// An error's words, with the field message where the error is about one field.
fn error_text(error: &AccountError) -> String {
    error
        .field_errors()
        .and_then(|fields| fields.get(Field::GroupName))
        .map_or_else(|| error.to_string(), str::to_owned)
}

/// Finding accounts by name and adding them (admins): results as the admin types, or, without
/// JavaScript, a GET form that reloads the page with them.
fn add_member(group_id: i64, search: Option<Search>) -> impl IntoView + use<> {
    use leptos::tachys::view::RenderHtml;
    let (search, found) = match search {
        None => (String::new(), None),
        Some(Search { search, found }) => (search, Some(found)),
    };
    let results_html = found_accounts(group_id, found).to_html();
    view! {
        <h2 id="add-member">"Add member"</h2>
        <MemberSearch group_id search results_html/>
    }
}

fn rename_form(group: &GroupDetails) -> impl IntoView + use<> {
    view! {
        <h2 id="rename">"Basic info"</h2>
        <form class="form" method="post" action=RenameGroup::PATH aria-labelledby="rename">
            <input type="hidden" name="group_id" value=group.group_id.to_string()/>
            <div class="field">
                <label for="rename-name">"Group name"</label>
                <div class="search-row">
                    <input id="rename-name" name="name" type="text" required value=group.name.clone()
                        maxlength=MAX_GROUP_NAME_CHARS.to_string()/>
                    <button class="button button-primary" type="submit">"Save name"</button>
                </div>
            </div>
        </form>
    }
}

fn leave_form(group_id: i64, viewer_id: i64) -> impl IntoView {
    view! {
        <h2 id="leave">"Leave group"</h2>
        <p class="hint">"You lose what this group gives you; an admin can add you again."</p>
        <form method="post" action=RemoveMember::PATH>
            <input type="hidden" name="group_id" value=group_id.to_string()/>
            <input type="hidden" name="user_id" value=viewer_id.to_string()/>
            <button class="button button-secondary" type="submit">"Leave group"</button>
        </form>
    }
}

fn delete_form(group: &GroupDetails) -> impl IntoView + use<> {
    view! {
        <h2 id="owner-options">"Owner only options"</h2>
        <p class="hint" id="delete-warning">
            "Once you delete a group it can not be undone: its members lose what it gives them, and its name stays yours."
        </p>
        <form class="form" method="post" action=DeleteGroup::PATH aria-describedby="delete-warning">
            <input type="hidden" name="group_id" value=group.group_id.to_string()/>
            <div class="field">
                <label for="delete-confirm">"Type the group's name to confirm"</label>
                <input id="delete-confirm" name="confirm_name" type="text" required autocomplete="off"/>
            </div>
            <button class="button button-danger" type="submit">"Delete group"</button>
        </form>
    }
}
