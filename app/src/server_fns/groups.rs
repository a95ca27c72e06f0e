//! The group pages' forms: plain HTML forms (no island), so each works the same with JavaScript
//! or without. Each calls the accounts core and sends the browser back to the group's page with
//! a notice; an error goes back in the URL and is shown on the page it came from.

#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per field of its form (the member form has eight), and the \
              macro's code for the browser does not carry an attribute put on the function"
)]

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::client_info;
use crate::error::AccountError;
#[cfg(feature = "ssr")]
use crate::ssr;

/// Where a group's page is, with `saved` saying what just happened there.
#[cfg(feature = "ssr")]
fn back_to_group(group_id: i64, saved: &str, anchor: &str) {
    leptos_axum::redirect(&format!("/groups/{group_id}?saved={saved}{anchor}"));
}

#[cfg(feature = "ssr")]
fn signed_in_user() -> Result<ssr::accounts::User, AccountError> {
    ssr::signed_in().map(|signed_in| signed_in.user).ok_or(AccountError::Unauthenticated)
}

/// Creates a group (`visibility`: `public` or `private`) owned by the signed-in user and opens
/// its page.
#[server(endpoint = "groups/create")]
pub async fn create_group(name: String, visibility: String) -> Result<(), AccountError> {
    let user = signed_in_user()?;
    let public = visibility != "private";
    let group = ssr::accounts().create_group(&user, &name, public, &client_info()).await?;
    back_to_group(group.group_id, "created", "");
    Ok(())
}

/// Renames a group.
#[server(endpoint = "groups/rename")]
pub async fn rename_group(group_id: i64, name: String) -> Result<(), AccountError> {
    let user = signed_in_user()?;
    ssr::accounts().rename_group(&user, group_id, &name, &client_info()).await?;
    back_to_group(group_id, "renamed", "");
    Ok(())
}

/// Deletes a group, once its name has been typed to confirm; back to the groups page.
#[server(endpoint = "groups/delete")]
pub async fn delete_group(group_id: i64, confirm_name: String) -> Result<(), AccountError> {
    let user = signed_in_user()?;
    let accounts = ssr::accounts();
    let group = accounts.group(group_id, user.user_id, 0).await?.ok_or(AccountError::GroupNotFound)?;
    if confirm_name.trim() != group.name {
        let message = "Type the group's name exactly to confirm.";
        return Err(AccountError::Invalid(crate::domain::FieldErrors::single(
            crate::domain::Field::GroupName,
            message,
        )));
    }
    accounts.delete_group(&user, group_id, &client_info()).await?;
    // No name in the address: it would stay in the history and the server's logs.
    leptos_axum::redirect("/groups?deleted=1");
    Ok(())
}

/// An account found for adding to a group, and whether it is a member already.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundAccount {
    pub user_id: i64,
    pub username: String,
    pub member: bool,
}

/// How many accounts a search for members to add lists.
#[cfg(feature = "ssr")]
const FOUND_SHOWN: i64 = 10;

/// Accounts matching `search` for an admin of group `group_id` to add: the API's search language,
/// a bare word being the start of a username. An account that is not the group's owner or admin
/// finds nobody.
#[cfg(feature = "ssr")]
pub(crate) async fn find_accounts(group_id: i64, search: &str) -> Result<Vec<FoundAccount>, AccountError> {
    let viewer = signed_in_user()?.user_id;
    let accounts = ssr::accounts();
    let admin = match accounts.group_member(group_id, viewer, viewer).await {
        Ok(me) => me.is_admin || me.is_owner,
        // A group the viewer may not see stays unseen.
        Err(AccountError::GroupNotFound) => return Err(AccountError::GroupNotFound),
        Err(AccountError::Group(crate::error::GroupRefusal::NotAMember { .. })) => false,
        Err(error) => return Err(error),
    };
    if !admin {
        return Err(crate::error::GroupRefusal::NotPermitted { group_id, permission: "admin".into() }.into());
    }
    let query = if search.contains([':', ',']) {
        search.to_owned()
    } else {
        // A bare word is the start of a username; cut so that the search it makes stays within
        // the language's length.
        let word: String = search.trim().chars().take(crate::domain::MAX_SEARCH_CHARS - "username:*".len()).collect();
        format!("username:{word}*")
    };
    let terms = crate::domain::parse_search(&query)
        .and_then(|terms| crate::domain::check_fields(&terms, &["username", "email"]).map(|()| terms))
        .map_err(|error| {
            let reason = if error.over_limit { error.sentence() } else { error.reason };
            AccountError::BadRequest(format!("search: {reason}"))
        })?;
    let page = accounts.list_users(&terms, 0, FOUND_SHOWN).await?;
    let mut found = Vec::with_capacity(page.items.len());
    for user in page.items {
        let member = accounts.group_member(group_id, user.user_id, viewer).await.is_ok();
        found.push(FoundAccount { user_id: user.user_id, username: user.username, member });
    }
    Ok(found)
}

/// The accounts a group's admin may add, as the admin types (the member search island): the
/// results' HTML, rendered here as on the page.
#[server(endpoint = "groups/members/find")]
pub async fn find_members(group_id: i64, search: String) -> Result<String, AccountError> {
    use leptos::tachys::view::RenderHtml;
    let found = if search.trim().is_empty() {
        None
    } else {
        // Said in the results' place, in the server's own words: the island only knows a
        // stand-in for these sentences (`error.rs`).
        match find_accounts(group_id, &search).await {
            Err(busy @ (AccountError::ListingsBusy | AccountError::TooSlow)) => Some(Err(busy.to_string())),
            found => Some(Ok(found?)),
        }
    };
    Ok(crate::pages::found_accounts(group_id, found).to_html())
}

/// Adds an account to a group, reading (what every new member may do until given more).
#[server(endpoint = "groups/members/add")]
pub async fn add_member(group_id: i64, user_id: i64) -> Result<(), AccountError> {
    let user = signed_in_user()?;
    let flags = crate::domain::MemberFlags::READ_ONLY;
    ssr::accounts().add_member(&user, group_id, user_id, flags, false, &client_info()).await?;
    back_to_group(group_id, "added", "#members");
    Ok(())
}

/// Sets a member's permissions from a row of checkboxes (a box left unticked is not sent).
/// `admin` counts only where the form offered it (`admin_offered`: the owner's form).
#[server(endpoint = "groups/members/change")]
pub async fn change_member(
    group_id: i64,
    user_id: i64,
    read: Option<String>,
    write: Option<String>,
    share_read: Option<String>,
    share_write: Option<String>,
    admin: Option<String>,
    admin_offered: Option<String>,
) -> Result<(), AccountError> {
    let user = signed_in_user()?;
    let change = ssr::accounts::FlagChange {
        read: Some(read.is_some()),
        write: Some(write.is_some()),
        share_read: Some(share_read.is_some()),
        share_write: Some(share_write.is_some()),
        admin: admin_offered.is_some().then_some(admin.is_some()),
        owner: None,
    };
    ssr::accounts().change_member(&user, group_id, user_id, change, &client_info()).await?;
    back_to_group(group_id, "changed", "#members");
    Ok(())
}

/// Makes a member the group's owner; the signed-in owner stays an admin.
#[server(endpoint = "groups/members/make-owner")]
pub async fn make_owner(group_id: i64, user_id: i64) -> Result<(), AccountError> {
    let user = signed_in_user()?;
    let change = ssr::accounts::FlagChange { owner: Some(true), ..Default::default() };
    ssr::accounts().change_member(&user, group_id, user_id, change, &client_info()).await?;
    back_to_group(group_id, "owner", "#members");
    Ok(())
}

/// Removes a member, or (the signed-in user's own id) leaves the group: back to the groups page,
/// as a private group is not to be seen any more.
#[server(endpoint = "groups/members/remove")]
pub async fn remove_member(group_id: i64, user_id: i64) -> Result<(), AccountError> {
    let user = signed_in_user()?;
    let accounts = ssr::accounts();
    if user_id == user.user_id {
        accounts.remove_member(&user, group_id, user_id, &client_info()).await?;
        leptos_axum::redirect("/groups?left=1");
    } else {
        accounts.remove_member(&user, group_id, user_id, &client_info()).await?;
        back_to_group(group_id, "removed", "#members");
    }
    Ok(())
}
