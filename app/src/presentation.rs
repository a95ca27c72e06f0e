//! How the server puts account data into words for people: a session's device, a duration, a
//! date, and the names of a group member's permissions.
//!
//! The pages use all of it; the REST API (`server/src/api/shapes.rs`) uses the permission flags,
//! so that which membership column means which permission is written down once. Server-only, like
//! the pages: nothing here reaches the browser.

use std::time::Duration;

use crate::ssr::{
    accounts::{GroupMember, Membership},
    clock::Micros,
};

/// "Firefox on Linux", "Python client": enough of a user agent to recognise a device by.
pub fn describe_user_agent(agent: Option<&str>) -> String {
    let Some(agent) = agent else { return "Unknown client".into() };
    // Order matters: Edge's agent also names Chrome and Safari, Chrome's names Safari, and
    // Android's names Linux, so the more particular mark is looked for first.
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

/// "1,000,000": a count with its thousands marked, as people read large numbers.
pub fn count_in_words(count: i64) -> String {
    let digits = count.unsigned_abs().to_string();
    let mut out = String::new();
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if count < 0 { format!("-{out}") } else { out }
}

/// "90 minutes", "12 hours", "14 days": the largest unit that divides the duration evenly.
pub fn in_words(duration: Duration) -> String {
    let minutes = duration.as_secs() / 60;
    let (count, unit) = match minutes {
        m if m % (24 * 60) == 0 => (m / (24 * 60), "day"),
        m if m % 60 == 0 => (m / 60, "hour"),
        m => (m, "minute"),
    };
    format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
}

/// "November 29, 2026": a day, in UTC, as a person writes it.
pub fn date_in_words(at: Micros) -> String {
    let at = at.to_datetime();
    format!("{} {}, {}", at.month(), at.day(), at.year())
}

/// One thing a group member may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    Read,
    Write,
    ShareRead,
    ShareWrite,
    Admin,
    Owner,
}

impl Permission {
    /// Every permission, in the order the pages list them (the columns of the groups table).
    pub const ALL: [Permission; 6] = [
        Permission::Read,
        Permission::Write,
        Permission::ShareRead,
        Permission::ShareWrite,
        Permission::Admin,
        Permission::Owner,
    ];

    /// "Share Read": a column heading of the groups table, or a badge beside a member.
    pub fn label(self) -> &'static str {
        match self {
            Permission::Read => "Read",
            Permission::Write => "Write",
            Permission::ShareRead => "Share Read",
            Permission::ShareWrite => "Share Write",
            Permission::Admin => "Admin",
            Permission::Owner => "Owner",
        }
    }

    /// The name of the permission's checkbox in a member's row (the server function's argument).
    pub fn form_name(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::ShareRead => "share_read",
            Permission::ShareWrite => "share_write",
            Permission::Admin => "admin",
            Permission::Owner => "owner",
        }
    }

    /// "share read": a badge beside one of the viewer's own groups on the home page.
    pub fn lowercase_label(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::ShareRead => "share read",
            Permission::ShareWrite => "share write",
            Permission::Admin => "admin",
            Permission::Owner => "owner",
        }
    }
}

/// What a member may do in a group: the six permission columns of a membership row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PermissionFlags {
    pub read: bool,
    pub write: bool,
    pub share_read: bool,
    pub share_write: bool,
    pub admin: bool,
    pub owner: bool,
}

impl PermissionFlags {
    pub fn grants(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => self.read,
            Permission::Write => self.write,
            Permission::ShareRead => self.share_read,
            Permission::ShareWrite => self.share_write,
            Permission::Admin => self.admin,
            Permission::Owner => self.owner,
        }
    }

    /// The permissions granted, in the order of [`Permission::ALL`].
    pub fn granted(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.into_iter().filter(move |permission| self.grants(*permission))
    }
}

impl From<&Membership> for PermissionFlags {
    fn from(m: &Membership) -> Self {
        Self {
            read: m.can_read,
            write: m.can_write,
            share_read: m.can_share_read,
            share_write: m.can_share_write,
            admin: m.is_admin,
            owner: m.is_owner,
        }
    }
}

impl From<&GroupMember> for PermissionFlags {
    fn from(m: &GroupMember) -> Self {
        Self {
            read: m.can_read,
            write: m.can_write,
            share_read: m.can_share_read,
            share_write: m.can_share_write,
            admin: m.is_admin,
            owner: m.is_owner,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_mark_their_thousands() {
        for (count, words) in
            [(0, "0"), (999, "999"), (1000, "1,000"), (10_000, "10,000"), (1_234_567, "1,234,567"), (-1000, "-1,000")]
        {
            assert_eq!(count_in_words(count), words);
        }
    }

    #[test]
    fn user_agents_read_as_browser_on_system() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                    Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0";
        let android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) \
                       Chrome/126.0.0.0 Mobile Safari/537.36";
        assert_eq!(describe_user_agent(Some(firefox)), "Firefox on Linux");
        assert_eq!(describe_user_agent(Some(edge)), "Edge on Windows");
        assert_eq!(describe_user_agent(Some(android)), "Chrome on Android");
        assert_eq!(describe_user_agent(Some("python-requests/2.32.3")), "Python client");
        assert_eq!(describe_user_agent(None), "Unknown client");
        let unknown = "a-client-nobody-has-heard-of/1.0 with a very long tail";
        assert_eq!(describe_user_agent(Some(unknown)), &unknown[..40]);
    }

    #[test]
    fn durations_use_the_largest_whole_unit() {
        assert_eq!(in_words(Duration::from_secs(90 * 60)), "90 minutes");
        assert_eq!(in_words(Duration::from_secs(60)), "1 minute");
        assert_eq!(in_words(Duration::from_secs(12 * 3600)), "12 hours");
        assert_eq!(in_words(Duration::from_secs(24 * 3600)), "1 day");
        assert_eq!(in_words(Duration::from_secs(14 * 24 * 3600)), "14 days");
    }

    #[test]
    fn dates_name_the_month() {
        // 2026-11-29T08:04:32Z
        assert_eq!(date_in_words(Micros(1_795_939_472_000_000)), "November 29, 2026");
    }

    #[test]
    fn granted_permissions_keep_the_table_order() {
        let flags = PermissionFlags { write: true, owner: true, share_read: true, ..PermissionFlags::default() };
        let labels: Vec<_> = flags.granted().map(Permission::label).collect();
        assert_eq!(labels, ["Write", "Share Read", "Owner"]);
        let lowercase: Vec<_> = flags.granted().map(Permission::lowercase_label).collect();
        assert_eq!(lowercase, ["write", "share read", "owner"]);
    }
}
