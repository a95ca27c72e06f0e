//! `/users`: the user directory, searchable with the API's search language, twenty to a page.
//! Search and paging are plain GET links and a GET form: no island, nothing in the WASM.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::Pager;

/// One page of the user directory.
#[derive(Clone, Debug)]
struct Directory {
    search: String,
    users: Vec<(String, String)>,
    total: i64,
    index: i64,
    error: Option<String>,
}

const DIRECTORY_PAGE: i64 = 20;

async fn directory(search: String, index: i64) -> Option<Directory> {
    crate::ssr::signed_in()?;
    let parsed = crate::domain::parse_search(&search)
        .and_then(|terms| crate::domain::check_fields(&terms, &["username", "email"]).map(|()| terms));
    let failed =
        |search: String, error: String| Directory { search, users: Vec::new(), total: 0, index: 0, error: Some(error) };
    let terms = match parsed {
        Ok(terms) => terms,
        Err(error) if error.over_limit => return Some(failed(search, error.sentence())),
        Err(error) => return Some(failed(search, format!("The search could not be understood: {}.", error.reason))),
    };
    // A search that ran out of the database's time budget (or a database out of reach) is
    // reported on the page, like a search that does not parse.
    match crate::ssr::accounts().list_users(&terms, index, DIRECTORY_PAGE).await {
        Ok(page) => {
            let users = page.items.into_iter().map(|u| (u.username, u.email)).collect();
            Some(Directory { search, users, total: page.total, index, error: None })
        }
        Err(error) => Some(failed(search, error.to_string())),
    }
}

/// `/users`: every account, searchable with the API's search language, twenty to a page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let search = query.with_untracked(|q| q.get("search")).unwrap_or_default();
    let index = query.with_untracked(|q| q.get("index")).and_then(|i| i.parse::<i64>().ok()).unwrap_or(0).max(0);
    view! {
        <Title text="Users"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(directory) = directory(search, index).await else {
                    super::send_to_login();
                    return ().into_any();
                };
                let Directory { search, users, total, index, error } = directory;
                let no_users = users.is_empty();
                let link = |index: i64| {
                    let mut query = form_urlencoded::Serializer::new(String::new());
                    if !search.is_empty() {
                        query.append_pair("search", &search);
                    }
                    format!("/users?{}", query.append_pair("index", &index.to_string()).finish())
                };
                let previous = (index > 0).then(|| link((index - DIRECTORY_PAGE).max(0)));
                let next = (index.saturating_add(DIRECTORY_PAGE) < total).then(|| link(index + DIRECTORY_PAGE));
                let shown = if users.is_empty() {
                    "No users match.".to_owned()
                } else {
                    format!("Users {} to {} of {total}", index.saturating_add(1), index.saturating_add(i64::try_from(users.len()).unwrap_or(i64::MAX)))
                };
                view! {
                    <section class="card card-wide" aria-labelledby="users-heading">
                        <h1 id="users-heading">"Users"</h1>
                        <form class="search" method="get" action="/users" role="search">
                            <label for="user-search">"Search"</label>
                            <div class="search-row">
                                <input id="user-search" name="search" type="search" value=search.clone()
                                    maxlength=crate::domain::MAX_SEARCH_CHARS.to_string()
                                    aria-describedby="search-help"/>
                                <button class="button button-primary" type="submit">"Search"</button>
                            </div>
                            <p class="hint" id="search-help">
                                "A word finds names and addresses containing it. "
                                <code>"username:al*"</code> " or " <code>"email:*@example.org"</code>
                                " match a field exactly, with * and ? as wildcards; separate terms (at most 10) with commas."
                            </p>
                        </form>
                        {error.map(|e| view! { <p class="notice notice-error" role="alert">{e}</p> })}
                        <p role="status">{shown}</p>
                        <div class="table-scroll" hidden=no_users>
                            <table class="table">
                                <thead><tr><th scope="col">"Username"</th><th scope="col">"Email"</th></tr></thead>
                                <tbody>
                                    {users.into_iter().map(|(username, email)| view! {
                                        <tr><td>{username}</td><td><EmailAddress email/></td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager previous next label="Pages"/>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

/// An email address that a narrow column wraps before its `@` rather than mid-word.
#[component]
pub(crate) fn EmailAddress(email: String) -> impl IntoView {
    match email.rsplit_once('@') {
        Some((local, domain)) => view! { {local.to_owned()}<wbr/>"@"{domain.to_owned()} }.into_any(),
        None => email.into_any(),
    }
}
