//! The pages, rendered on the server for each request. They read the session directly (no
//! loading states: the server knows who is asking) and hand the islands what they need as props.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    error::AccountError,
    islands::{ChangePasswordForm, DeleteAccountForm, LoginForm, ProfileForm, RegisterForm, UserMenu},
    server_fns::{ChangePassword, DeleteAccount, LogIn, LogOutEverywhere, Register, RevokeSession, UpdateProfile},
};

/// What a page needs to know about the signed-in user.
#[derive(Clone, Debug)]
struct Viewer {
    username: String,
    memberships: Vec<MembershipSummary>,
}

#[derive(Clone, Debug)]
struct MembershipSummary {
    group_name: String,
    permissions: Vec<&'static str>,
}

#[cfg(feature = "ssr")]
async fn viewer() -> Option<Viewer> {
    let signed_in = crate::ssr::signed_in()?;
    let memberships = crate::ssr::accounts().memberships(signed_in.user.user_id).await.unwrap_or_default();
    let memberships = memberships
        .into_iter()
        .map(|m| MembershipSummary {
            group_name: m.group_name,
            permissions: [
                (m.can_read, "read"),
                (m.can_write, "write"),
                (m.can_share_read, "share read"),
                (m.can_share_write, "share write"),
                (m.is_admin, "admin"),
                (m.is_owner, "owner"),
            ]
            .into_iter()
            .filter_map(|(granted, name)| granted.then_some(name))
            .collect(),
        })
        .collect();
    Some(Viewer { username: signed_in.user.username, memberships })
}

#[cfg(not(feature = "ssr"))]
async fn viewer() -> Option<Viewer> {
    None
}

fn signed_in_username() -> Option<String> {
    #[cfg(feature = "ssr")]
    return crate::ssr::signed_in().map(|s| s.user.username);
    #[cfg(not(feature = "ssr"))]
    None
}

/// The error a form post without JavaScript left in the URL (`?__err=...&__path=...`), if it
/// belongs to the server function at `path`.
fn error_from_url(path: &str) -> Option<AccountError> {
    use leptos::server_fn::error::ServerFnUrlError;
    let query = use_query_map();
    query.with_untracked(|q| {
        let err = q.get_str("__err").filter(|_| q.get_str("__path") == Some(path))?;
        Some(ServerFnUrlError::<AccountError>::decode_err(err))
    })
}

#[component]
pub fn TopBar() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <img class="brand-mark" src="/favicon.svg" alt="" width="28" height="28"/>
                <span class="brand-name">"Dioptra"</span>
                <span class="brand-product">"Accounts"</span>
            </a>
            <nav class="topbar-actions" aria-label="Account">
                {match signed_in_username() {
                    Some(username) => view! {
                        <a class="topbar-link" href="/groups">"Groups"</a>
                        <a class="topbar-link" href="/users">"Users"</a>
                        <UserMenu username/>
                        // Without JavaScript the menu cannot open; offer its one action directly.
                        <noscript>
                            <button class="button button-primary noscript-logout" type="submit" form="logout-form">
                                "Log out"
                            </button>
                        </noscript>
                    }.into_any(),
                    None => view! { <a class="topbar-link" href="/">"Sign in"</a> }.into_any(),
                }}
            </nav>
        </header>
    }
}

/// `/`: the login screen for a visitor, the home page for a signed-in user.
#[component]
pub fn Front() -> impl IntoView {
    view! {
        <Suspense>
            {Suspend::new(async move {
                match viewer().await {
                    Some(viewer) => view! { <HomePage viewer/> }.into_any(),
                    None => view! { <LoginPage/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let registered = query.with_untracked(|q| q.get("registered"));
    let deleted = query.with_untracked(|q| q.get("deleted"));
    let initial_error = error_from_url(LogIn::PATH);
    view! {
        <Title text="Login"/>
        <section class="card" aria-labelledby="login-heading">
            <h1 id="login-heading">"Login"</h1>
            <p class="card-lead">"Sign in to access Dioptra."</p>
            {registered.map(|name| view! {
                <p class="notice notice-success" role="status">
                    {format!("Successfully created user '{name}'.")}
                </p>
            })}
            {deleted.map(|name| view! {
                <p class="notice notice-success" role="status">
                    {format!("Successfully deleted user '{name}'.")}
                </p>
            })}
            <LoginForm initial_error/>
            <p class="card-footer">
                "Don't have an account yet? " <a href="/register">"Signup"</a>
            </p>
        </section>
    }
}

#[component]
fn HomePage(viewer: Viewer) -> impl IntoView {
    let Viewer { username, memberships } = viewer;
    view! {
        <Title text="Home"/>
        <section class="card card-wide" aria-labelledby="home-heading">
            <h1 id="home-heading">{format!("Welcome, {username}")}</h1>
            <p class="card-lead">"You are signed in to Dioptra."</p>
            <h2>"Your groups"</h2>
            <ul class="group-list">
                {memberships.into_iter().map(|m| view! {
                    <li class="group">
                        <span class="group-name">{m.group_name}</span>
                        <ul class="badges" aria-label="Permissions">
                            {m.permissions.into_iter().map(|p| view! { <li class="badge">{p}</li> }).collect_view()}
                        </ul>
                    </li>
                }).collect_view()}
            </ul>
            <p class="hint">
                "Everyone belongs to the default public group; additional groups cannot be created."
            </p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (min_password_chars, signup_open) = {
        let settings = crate::ssr::accounts().settings().clone();
        (settings.password_policy.min_chars, settings.signup_open)
    };
    #[cfg(not(feature = "ssr"))]
    let (min_password_chars, signup_open) = (crate::domain::PasswordPolicy::default().min_chars, true);
    let initial_error = error_from_url(Register::PATH);
    let body = if signup_open {
        view! {
            <p class="card-lead">"Register a new user account."</p>
            <RegisterForm min_password_chars initial_error/>
        }
        .into_any()
    } else {
        view! {
            <p class="card-lead" role="status">
                "Signup is closed on this deployment. Ask an administrator of this Dioptra deployment to create \
                 your account."
            </p>
        }
        .into_any()
    };
    view! {
        <Title text="Register"/>
        <section class="card" aria-labelledby="register-heading">
            <h1 id="register-heading">"Register"</h1>
            {body}
            <p class="card-footer">"Go back to the " <a href="/">"Login"</a> " page."</p>
        </section>
    }
}

/// What the account page shows of the signed-in user.
#[derive(Clone, Debug)]
struct AccountView {
    username: String,
    email: String,
    password_expires: Option<String>,
    min_password_chars: usize,
    /// How long sessions last, in words.
    session_policy: String,
}

#[cfg(feature = "ssr")]
fn account_view() -> Option<AccountView> {
    let user = crate::ssr::signed_in()?.user;
    let password_expires = user.password_expires_on.map(|expiry| {
        let at = expiry.to_datetime();
        format!("{} {}, {}", at.month(), at.day(), at.year())
    });
    let settings = crate::ssr::accounts().settings().clone();
    let session_policy = format!(
        "A session ends after {} without use, or {} after login.",
        in_words(settings.session_idle_timeout),
        in_words(settings.session_lifetime)
    );
    Some(AccountView {
        username: user.username,
        email: user.email,
        password_expires,
        min_password_chars: settings.password_policy.min_chars,
        session_policy,
    })
}

/// "90 minutes", "12 hours", "14 days".
#[cfg(feature = "ssr")]
fn in_words(duration: std::time::Duration) -> String {
    let minutes = duration.as_secs() / 60;
    let (count, unit) = match minutes {
        m if m % (24 * 60) == 0 => (m / (24 * 60), "day"),
        m if m % 60 == 0 => (m / 60, "hour"),
        m => (m, "minute"),
    };
    format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
}

#[cfg(not(feature = "ssr"))]
fn account_view() -> Option<AccountView> {
    None
}

/// `/account`: the signed-in user's details, and everything they can do to their account.
#[component]
pub fn AccountPage() -> impl IntoView {
    let Some(account) = account_view() else {
        #[cfg(feature = "ssr")]
        leptos_axum::redirect("/");
        return view! { <Title text="Account"/> }.into_any();
    };
    let saved = use_query_map().with_untracked(|q| q.get("saved"));
    let notice = match saved.as_deref() {
        Some("profile") => Some("Your account details were saved."),
        Some("password") => Some("Password Change Success"),
        Some("session") => Some("The session was ended."),
        _ => None,
    };
    let AccountView { username, email, password_expires, min_password_chars, session_policy } = account;
    view! {
        <Title text="Account"/>
        <section class="card card-wide" aria-labelledby="account-heading">
            <h1 id="account-heading">"Account"</h1>
            <p class="card-lead">"You are logged in as " <strong>{username.clone()}</strong> "."</p>
            {notice.map(|text| view! { <p class="notice notice-success" role="status">{text}</p> })}
            <dl class="facts">
                <dt>"Username"</dt>
                <dd>{username.clone()}</dd>
                <dt>"Email"</dt>
                <dd>{email.clone()}</dd>
                <dt>"Password expires"</dt>
                <dd>{password_expires.unwrap_or_else(|| "Never".into())}</dd>
            </dl>

            <h2>"Account details"</h2>
            <ProfileForm username=username.clone() email=email.clone() initial_error=error_from_url(UpdateProfile::PATH)/>

            <h2>"Change password"</h2>
            <p class="hint">"To change your password, enter your current and new password. Your other sessions end; this one stays signed in."</p>
            <ChangePasswordForm username email min_password_chars initial_error=error_from_url(ChangePassword::PATH)/>

            <h2 id="sessions">"Sessions"</h2>
            <p class="hint">"Where this account is logged in. " {session_policy}</p>
            {error_from_url(RevokeSession::PATH).map(|error| view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> })}
            <SessionList/>
            <p class="hint">"Ends every session of this account on every device, this one included."</p>
            <form method="post" action=LogOutEverywhere::PATH>
                <button class="button button-secondary" type="submit">"Log out from all devices"</button>
            </form>

            <h2>"Delete account"</h2>
            <p class="hint">
                "To delete your account, enter your password and press the delete button. You are logged out everywhere; your username and email address stay reserved and cannot be registered again."
            </p>
            <DeleteAccountForm initial_error=error_from_url(DeleteAccount::PATH)/>
        </section>
    }.into_any()
}

/// One row of the account page's session list.
#[derive(Clone, Debug)]
struct SessionRow {
    id: String,
    current: bool,
    device: String,
    address: String,
    logged_in: String,
    last_seen: String,
}

#[cfg(feature = "ssr")]
async fn session_rows() -> Vec<SessionRow> {
    use crate::ssr::accounts::SessionInfo;
    let Some(signed_in) = crate::ssr::signed_in() else { return Vec::new() };
    let current_id = SessionInfo::id_of(&signed_in.token);
    let sessions = crate::ssr::accounts().sessions_of(signed_in.user.user_id).await.unwrap_or_default();
    sessions
        .into_iter()
        .map(|session| SessionRow {
            current: session.id() == current_id,
            id: session.id(),
            device: describe_user_agent(session.user_agent.as_deref()),
            address: session.client_address.unwrap_or_else(|| "unknown".into()),
            logged_in: session.created_on.to_minute_utc(),
            last_seen: session.last_seen_on.to_minute_utc(),
        })
        .collect()
}

#[cfg(not(feature = "ssr"))]
async fn session_rows() -> Vec<SessionRow> {
    Vec::new()
}

/// "Firefox on Linux", "Python client": enough of a user agent to recognise a device by.
#[cfg(feature = "ssr")]
fn describe_user_agent(agent: Option<&str>) -> String {
    let Some(agent) = agent else { return "Unknown client".into() };
    let browsers = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("python-requests", "Python client"),
        ("curl/", "curl"),
    ];
    let systems = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let browser = browsers.iter().find(|(mark, _)| agent.contains(mark)).map(|(_, name)| *name);
    let system = systems.iter().find(|(mark, _)| agent.contains(mark)).map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.into(),
        (None, _) => agent.chars().take(40).collect(),
    }
}

/// The signed-in user's sessions, each with a button that ends it (a plain form: it works
/// without JavaScript and adds nothing to the WASM bundle).
#[component]
fn SessionList() -> impl IntoView {
    view! {
        <Suspense>
            {Suspend::new(async move {
                let rows = session_rows().await;
                view! {
                    <ul class="session-list" aria-label="Sessions of this account">
                        {rows.into_iter().map(|row| {
                            let label = format!("Log out the session of {} from {}", row.device, row.address);
                            view! {
                                <li class="session">
                                    <div class="session-facts">
                                        <p class="session-device">
                                            <strong>{row.device}</strong>
                                            {row.current.then(|| view! { " " <span class="badge">"This device"</span> })}
                                        </p>
                                        <p class="hint">
                                            {row.address} " · logged in " {row.logged_in} " · last active " {row.last_seen}
                                        </p>
                                    </div>
                                    <form method="post" action=RevokeSession::PATH>
                                        <input type="hidden" name="session_id" value=row.id/>
                                        <button class="button button-secondary" type="submit" aria-label=label>"Log out"</button>
                                    </form>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
        </Suspense>
    }
}

/// One row of the groups page: a group and the viewer's permissions in it, and its members.
#[derive(Clone, Debug)]
struct GroupRow {
    name: String,
    flags: [bool; 6],
    members: Vec<(String, Vec<&'static str>)>,
}

const PERMISSION_NAMES: [&str; 6] = ["Read", "Write", "Share Read", "Share Write", "Admin", "Owner"];

#[cfg(feature = "ssr")]
async fn group_rows() -> Option<Vec<GroupRow>> {
    let user_id = crate::ssr::signed_in()?.user.user_id;
    let accounts = crate::ssr::accounts();
    let mut rows = Vec::new();
    for m in accounts.memberships(user_id).await.ok()? {
        let members = accounts.group(m.group_id).await.ok().flatten().map(|g| g.members).unwrap_or_default();
        rows.push(GroupRow {
            name: m.group_name,
            flags: [m.can_read, m.can_write, m.can_share_read, m.can_share_write, m.is_admin, m.is_owner],
            members: members
                .into_iter()
                .map(|member| {
                    let flags = [
                        member.can_read,
                        member.can_write,
                        member.can_share_read,
                        member.can_share_write,
                        member.is_admin,
                        member.is_owner,
                    ];
                    let granted = PERMISSION_NAMES.iter().zip(flags).filter(|(_, on)| *on).map(|(name, _)| *name);
                    let name =
                        if member.is_deleted { format!("{} (deleted)", member.username) } else { member.username };
                    (name, granted.collect())
                })
                .collect(),
        });
    }
    Some(rows)
}

#[cfg(not(feature = "ssr"))]
async fn group_rows() -> Option<Vec<GroupRow>> {
    None
}

/// `/groups`: the viewer's groups with their permissions, and each group's members.
#[component]
pub fn GroupsPage() -> impl IntoView {
    view! {
        <Title text="Groups"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(rows) = group_rows().await else {
                    #[cfg(feature = "ssr")]
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
                                        {PERMISSION_NAMES.map(|name| view! { <th scope="col">{name}</th> }).collect_view()}
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.iter().map(|row| view! {
                                        <tr>
                                            <th scope="row">{row.name.clone()}</th>
                                            {row.flags.map(|on| view! { <td><Flag on/></td> }).collect_view()}
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
                                {row.members.into_iter().map(|(username, granted)| view! {
                                    <li class="group">
                                        <span class="group-name">{username}</span>
                                        <ul class="badges" aria-label="Permissions">
                                            {granted.into_iter().map(|p| view! { <li class="badge">{p}</li> }).collect_view()}
                                        </ul>
                                    </li>
                                }).collect_view()}
                            </ul>
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

#[cfg(feature = "ssr")]
async fn directory(search: String, index: i64) -> Option<Directory> {
    crate::ssr::signed_in()?;
    let parsed = crate::domain::parse_search(&search)
        .and_then(|terms| crate::domain::check_fields(&terms, &["username", "email"]).map(|()| terms));
    let terms = match parsed {
        Ok(terms) => terms,
        Err(error) => {
            let error = Some(format!("The search could not be understood: {}.", error.reason));
            return Some(Directory { search, users: Vec::new(), total: 0, index: 0, error });
        }
    };
    let page = crate::ssr::accounts().list_users(&terms, index, DIRECTORY_PAGE).await.ok()?;
    let users = page.items.into_iter().map(|u| (u.username, u.email)).collect();
    Some(Directory { search, users, total: page.total, index, error: None })
}

#[cfg(not(feature = "ssr"))]
async fn directory(_search: String, _index: i64) -> Option<Directory> {
    None
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
                    #[cfg(feature = "ssr")]
                    leptos_axum::redirect("/");
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
                let next = (index + DIRECTORY_PAGE < total).then(|| link(index + DIRECTORY_PAGE));
                let shown = if users.is_empty() {
                    "No users match.".to_owned()
                } else {
                    format!("Users {} to {} of {total}", index + 1, index + users.len() as i64)
                };
                view! {
                    <section class="card card-wide" aria-labelledby="users-heading">
                        <h1 id="users-heading">"Users"</h1>
                        <form class="search" method="get" action="/users" role="search">
                            <label for="user-search">"Search"</label>
                            <div class="search-row">
                                <input id="user-search" name="search" type="search" value=search.clone()
                                    aria-describedby="search-help"/>
                                <button class="button button-primary" type="submit">"Search"</button>
                            </div>
                            <p class="hint" id="search-help">
                                "A word finds names and addresses containing it. "
                                <code>"username:al*"</code> " or " <code>"email:*@example.org"</code>
                                " match a field exactly, with * and ? as wildcards; separate terms with commas."
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
                        <nav class="pager" aria-label="Pages">
                            {previous.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
                            {next.map(|href| view! { <a href=href rel="next">"Next"</a> })}
                        </nav>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <section class="card" aria-labelledby="not-found-heading">
            <h1 id="not-found-heading">"Page not found"</h1>
            <p class="card-lead">"There is nothing at this address."</p>
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}

/// An email address that a narrow column wraps before its `@` rather than mid-word.
#[component]
fn EmailAddress(email: String) -> impl IntoView {
    match email.rsplit_once('@') {
        Some((local, domain)) => view! { {local.to_owned()}<wbr/>"@"{domain.to_owned()} }.into_any(),
        None => email.into_any(),
    }
}
