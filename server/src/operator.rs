//! The operator's commands: `migrate`, `users …`, `audit …` and `settings …`. They open the database directly, so they
//! work whether or not a server is running, and they go through the same accounts core as the
//! server (the same validation, hashing and session rules).

use std::io::{BufRead, IsTerminal};

use app::{
    domain::{RegisterForm, check_fields, parse_search},
    error::AccountError,
    ssr::accounts::{AccountSettings, Accounts, Acting, AdminAct, AuditQuery, AuditRecord, ClientInfo, User},
};

use crate::{
    audit_export::{Export, Format},
    config::{AuditCommand, AuditFilters, DatabaseOptions, PasswordOptions, SettingsCommand, UsersCommand},
};

/// Why an operator's command failed, in words for the terminal.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Database(#[from] app::ssr::db::ConnectError),
    #[error("{}", describe(.0))]
    Account(#[from] AccountError),
    #[error("{0}")]
    Input(String),
}

pub async fn migrate(database: &DatabaseOptions) -> Result<(), CommandError> {
    let db = database.connect().await?;
    db.migrate().await?;
    println!("The {} database is up to date.", db.backend_name());
    db.close().await;
    Ok(())
}

pub async fn users(
    database: &DatabaseOptions,
    passwords: &PasswordOptions,
    command: UsersCommand,
) -> Result<(), CommandError> {
    let db = database.connect().await?;
    db.migrate().await?;
    let accounts = Accounts::new(db, passwords.account_settings());
    // The rules for new passwords are the deployment's, as administrators set them.
    accounts.refresh_settings().await?;
    let outcome = run_users_command(&accounts, command).await;
    accounts.database().close().await;
    outcome
}

async fn run_users_command(accounts: &Accounts, command: UsersCommand) -> Result<(), CommandError> {
    match command {
        UsersCommand::Create { username, email } => {
            let password = read_new_password(&username)?;
            let form =
                RegisterForm { username, email, confirm_password: password.as_str().into(), password: password.into() };
            let user = accounts.create_account(&form).await?;
            println!("Created user '{}' (id {}).", user.username, user.user_id);
        }
        UsersCommand::List { search } => {
            let terms = match search.as_deref() {
                Some(query) => {
                    let terms =
                        parse_search(query).map_err(|e| CommandError::Input(format!("search: {}", e.reason)))?;
                    check_fields(&terms, &["username", "email"])
                        .map_err(|e| CommandError::Input(format!("search: {}", e.reason)))?;
                    terms
                }
                None => Vec::new(),
            };
            let mut users = Vec::new();
            loop {
                let page = accounts.list_users(&terms, i64::try_from(users.len()).unwrap_or(i64::MAX), 1000).await?;
                let done = page.items.len() < 1000;
                users.extend(page.items);
                if done {
                    break;
                }
            }
            print!("{}", user_table(&users));
        }
        UsersCommand::SetPassword { username } => {
            let user = existing(accounts, &username).await?;
            let password = read_new_password(&user.username)?;
            accounts.set_password(user.user_id, &password).await?;
            println!("Set the password of '{}'; every session of the account has ended.", user.username);
        }
        UsersCommand::Delete { username } => act(accounts, AdminAct::Delete, &username).await?,
        UsersCommand::RevokeSessions { username } => {
            let user = existing(accounts, &username).await?;
            accounts.log_out_everywhere(&user, &ClientInfo::operator()).await?;
            println!("Ended every session of '{}'.", user.username);
        }
        UsersCommand::Disable { username } => act(accounts, AdminAct::Disable, &username).await?,
        UsersCommand::Enable { username } => act(accounts, AdminAct::Enable, &username).await?,
        UsersCommand::ExpirePassword { username } => act(accounts, AdminAct::ExpirePassword, &username).await?,
        UsersCommand::RemoveSecondFactor { username } => act(accounts, AdminAct::RemoveSecondFactor, &username).await?,
        UsersCommand::ResetLink { username, public_url } => {
            let user = existing(accounts, &username).await?;
            let done = accounts
                .act_on(&Acting::operator(), AdminAct::ResetLink, user.user_id, &ClientInfo::operator())
                .await?;
            let Some(link) = &done.reset_link else { return Err(AccountError::Internal.into()) };
            println!("{}", done.sentence());
            match public_url {
                Some(origin) => println!("{}", link.url(&origin)),
                None => println!("{}\n(Put the deployment's address in front, or give --public-url.)", link.url("")),
            }
        }
    }
    Ok(())
}

pub async fn audit(database: &DatabaseOptions, command: AuditCommand) -> Result<(), CommandError> {
    let db = database.connect().await?;
    db.migrate().await?;
    let accounts = std::sync::Arc::new(Accounts::new(db, AccountSettings::default()));
    let outcome = run_audit_command(&accounts, command).await;
    accounts.database().close().await;
    outcome
}

async fn run_audit_command(accounts: &std::sync::Arc<Accounts>, command: AuditCommand) -> Result<(), CommandError> {
    use std::io::Write;
    match command {
        AuditCommand::List { filters, limit } => {
            let records = accounts.audit_trail(&audit_query(&filters)?, None, limit).await?;
            print!("{}", audit_table(&records));
        }
        AuditCommand::Export { format, filters } => {
            let format =
                Format::from_name(&format).ok_or_else(|| CommandError::Input("--format: csv or jsonl".into()))?;
            let mut export = Export::new(accounts.clone(), audit_query(&filters)?, format);
            let mut out = std::io::stdout().lock();
            while let Some(chunk) = export.next_chunk().await {
                let written = out.write_all(&chunk?).and_then(|()| out.flush());
                // A reader that stops early (`| head`) is not an error.
                if written.as_ref().is_err_and(|error| error.kind() == std::io::ErrorKind::BrokenPipe) {
                    break;
                }
                written.map_err(|error| CommandError::Input(format!("cannot write the export: {error}")))?;
            }
        }
    }
    Ok(())
}

pub async fn settings(database: &DatabaseOptions, command: SettingsCommand) -> Result<(), CommandError> {
    let db = database.connect().await?;
    db.migrate().await?;
    let accounts = Accounts::new(db, AccountSettings::default());
    let outcome = run_settings_command(&accounts, command).await;
    accounts.database().close().await;
    outcome
}

async fn run_settings_command(accounts: &Accounts, command: SettingsCommand) -> Result<(), CommandError> {
    use app::ssr::accounts::{Setting, SettingsChange};
    if let SettingsCommand::Set { name, value } = &command {
        let setting = Setting::ALL
            .into_iter()
            .find(|setting| setting.command_name() == name)
            .ok_or_else(|| CommandError::Input(format!("no setting is called {name}")))?;
        let parsed = SettingsChange::parse([(setting, value.as_str())]);
        let change = parsed.map_err(|(_, sentence)| CommandError::Input(format!("{name}: {sentence}")))?;
        let changed = accounts.change_settings(&Acting::operator(), change, &ClientInfo::operator()).await?;
        if changed.is_empty() {
            println!("{name} is {value} already.");
        } else {
            println!("{name} is now {value}; every replica applies it within seconds.");
        }
    }
    // The command line this command was given is not `serve`'s: say what the table holds.
    let rows: Vec<Vec<String>> = accounts
        .setting_states()
        .await?
        .into_iter()
        .map(|state| {
            let name = state.setting.command_name();
            let (value, source) = match state.set {
                Some(set) => (
                    state.value,
                    format!("set by {} on {}", set.by.as_deref().unwrap_or("the operator"), set.on.to_minute_utc()),
                ),
                None => ("-".into(), format!("the command line of serve ({})", state.setting.flag())),
            };
            vec![name.to_owned(), value, source]
        })
        .collect();
    print!("{}", table(&["SETTING", "VALUE", "FROM"], &rows));
    Ok(())
}

fn audit_query(filters: &AuditFilters) -> Result<AuditQuery, CommandError> {
    AuditQuery::parse(
        filters.username.as_deref(),
        filters.event.as_deref(),
        filters.client_address.as_deref(),
        filters.from.as_deref(),
        filters.until.as_deref(),
    )
    .map_err(|(field, sentence)| {
        let flag = if field == "clientAddress" { "client-address" } else { field };
        CommandError::Input(format!("--{flag}: {sentence}"))
    })
}

fn audit_table(records: &[AuditRecord]) -> String {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|record| {
            vec![
                record.occurred_on.to_minute_utc(),
                record.event.clone(),
                record.username.clone().unwrap_or_default().escape_debug().to_string(),
                record.client_address.clone().unwrap_or_default(),
                record.repeats.to_string(),
                record.detail.clone().unwrap_or_default().escape_debug().to_string(),
            ]
        })
        .collect();
    let header = ["TIME", "EVENT", "ACCOUNT", "ADDRESS", "TIMES", "DETAIL"];
    let mut out = table(&header, &rows);
    out.push_str(&format!("{} event{}\n", records.len(), if records.len() == 1 { "" } else { "s" }));
    out
}

/// Does an administrative act as the operator, with the console's rules (the owner of `public`
/// is never disabled or deleted), and says what it did.
async fn act(accounts: &Accounts, act: AdminAct, username: &str) -> Result<(), CommandError> {
    let user = existing(accounts, username).await?;
    let done = accounts.act_on(&Acting::operator(), act, user.user_id, &ClientInfo::operator()).await?;
    println!("{}", done.sentence());
    Ok(())
}

async fn existing(accounts: &Accounts, username: &str) -> Result<User, CommandError> {
    accounts.user_named(username).await?.ok_or_else(|| CommandError::Input(format!("there is no user '{username}'")))
}

/// A password from standard input (its first line), or typed twice without echo when standard
/// input is a terminal.
fn read_new_password(username: &str) -> Result<String, CommandError> {
    let io_error = |e: std::io::Error| CommandError::Input(format!("cannot read the password: {e}"));
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for '{username}': ")).map_err(io_error)?;
        let again = rpassword::prompt_password("The same password again: ").map_err(io_error)?;
        if first != again {
            return Err(CommandError::Input("the two passwords differ".into()));
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(io_error)?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        return Err(CommandError::Input("no password on standard input (one line is read)".into()));
    }
    Ok(password.to_owned())
}

fn user_table(users: &[User]) -> String {
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|user| {
            vec![
                user.user_id.to_string(),
                user.username.clone(),
                user.email.clone(),
                user.created_on.to_minute_utc(),
                user.last_login_on.map_or_else(|| "never".into(), app::ssr::clock::Micros::to_minute_utc),
            ]
        })
        .collect();
    let mut out = table(&["ID", "USERNAME", "EMAIL", "CREATED", "LAST LOGIN"], &rows);
    out.push_str(&format!("{} user{}\n", users.len(), if users.len() == 1 { "" } else { "s" }));
    out
}

/// `rows` under `header`, each column as wide as its widest cell.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let header: Vec<String> = header.iter().map(|name| (*name).to_owned()).collect();
    let mut widths: Vec<usize> = header.iter().map(|name| name.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// An account error as one line for the terminal: field errors name their field.
fn describe(error: &AccountError) -> String {
    match error.field_errors() {
        Some(fields) => fields
            .iter()
            .map(|(field, message)| format!("{}: {message}", field.input_name()))
            .collect::<Vec<_>>()
            .join("; "),
        None => error.to_string(),
    }
}
