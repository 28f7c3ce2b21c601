//! Roles and what each may call: the one table the relay enforces on every request and the
//! console uses to hide what the signed-in user cannot do.
//!
//! Roles are ordered — kiosk < viewer < operator < admin — and each method needs a minimum role,
//! so every role can do everything the roles below it can. The minimum role is part of each
//! method's entry in the `methods!` table (`crate::protocol`), so a method cannot exist without
//! one; a name that is no method needs admin.

use serde::{Deserialize, Serialize};

use crate::protocol::Request;

/// What a signed-in account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The reception kiosk: devices, key labels, time zones, live events and the log reads
    /// that fill gaps in them. Nothing else.
    Kiosk,
    /// Read-only: also configs, schedules, job codes and every log.
    Viewer,
    /// Changes devices: T&A configs, bulk apply, job codes.
    Operator,
    /// Everything, including accounts and kiosk enrolment.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Kiosk, Role::Viewer, Role::Operator, Role::Admin];

    /// The wire name (`kiosk`, `viewer`, `operator`, `admin`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Kiosk => "kiosk",
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    /// From the wire name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s)
    }

    /// Whether this role may call `method`.
    pub fn may_call(self, method: &str) -> bool {
        self >= required_role(method)
    }
}

/// The lowest role that may call `method`: its `role` in the `methods!` table of
/// [`crate::protocol`]; admin for a name that is not a method.
pub fn required_role(method: &str) -> Role {
    Request::role_of(method).unwrap_or(Role::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.name()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).ok(),
                Some(format!("\"{}\"", r.name()))
            );
        }
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Kiosk < Role::Viewer && Role::Viewer < Role::Operator);
        assert!(Role::Operator < Role::Admin);
    }

    #[test]
    fn each_role_gets_exactly_its_methods() {
        // Writes need an operator; the kiosk only reads what the reception screen shows.
        for m in [
            "tna.setConfig",
            "tna.setConfigMulti",
            "jobCodes.set",
            "jobCodes.setMulti",
        ] {
            assert!(!Role::Viewer.may_call(m), "{m}");
            assert!(Role::Operator.may_call(m), "{m}");
        }
        for m in ["time.fixZones", "time.sync"] {
            assert!(!Role::Viewer.may_call(m), "{m}");
            assert!(Role::Operator.may_call(m), "{m}");
        }
        for m in [
            "jobCodes.get",
            "tna.getJobCodeLog",
            "schedules.list",
            "time.getZones",
        ] {
            assert!(!Role::Kiosk.may_call(m), "{m}");
            assert!(Role::Viewer.may_call(m), "{m}");
        }
        for m in [
            "devices.list",
            "tna.getLog",
            "events.subscribe",
            "tna.getConfig",
        ] {
            assert!(Role::Kiosk.may_call(m), "{m}");
        }
        // Account management and anything new: admin only.
        for m in [
            "accounts.list",
            "accounts.create",
            "kiosk.pair",
            "no.suchMethod",
        ] {
            assert!(!Role::Operator.may_call(m), "{m}");
            assert!(Role::Admin.may_call(m), "{m}");
        }
        // Every protocol method is decided, and admin may call them all.
        for m in Request::METHODS {
            assert!(Role::Admin.may_call(m), "{m}");
        }
    }

    /// The role table of `docs/protocol.md`, as written there.
    const PROTOCOL_DOC: &str = include_str!("../../../docs/protocol.md");

    /// The backticked names of the documented role table's row for `role`.
    fn documented(role: Role) -> Vec<String> {
        let prefix = format!("| `{}` |", role.name());
        let row = PROTOCOL_DOC
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("docs/protocol.md has no role row for {}", role.name()));
        row[prefix.len()..]
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn roles_equal_the_documented_table() {
        // Every method named in the kiosk, viewer and operator rows has exactly that role, every
        // method not named there is admin's, and the admin row names only admin methods: a role
        // changed in the `methods!` table fails here until docs/protocol.md says so too.
        let mut placed = std::collections::HashSet::new();
        for role in [Role::Kiosk, Role::Viewer, Role::Operator] {
            for m in documented(role) {
                assert!(Request::METHODS.contains(&m.as_str()), "{m} is no method");
                assert_eq!(Request::role_of(&m), Some(role), "{m}");
                assert!(placed.insert(m.clone()), "{m} is in two rows");
            }
        }
        for m in Request::METHODS {
            if !placed.contains(*m) {
                assert_eq!(required_role(m), Role::Admin, "{m} is not in the table");
            }
        }
        let admin = documented(Role::Admin);
        assert!(!admin.is_empty());
        for m in admin {
            let matching: Vec<&&str> = match m.strip_suffix('*') {
                Some(prefix) => Request::METHODS
                    .iter()
                    .filter(|n| n.starts_with(prefix))
                    .collect(),
                None => Request::METHODS.iter().filter(|n| **n == m).collect(),
            };
            assert!(!matching.is_empty(), "{m} names no method");
            for n in matching {
                assert_eq!(Request::role_of(n), Some(Role::Admin), "{n}");
            }
        }
    }

    #[test]
    fn writes_are_audited_and_reads_are_not() {
        // Every method an operator needs and a viewer lacks is a write, and writes are audited;
        // of the admin's, everything but the reads (lists, audit).
        for m in Request::METHODS {
            let write = required_role(m) == Role::Operator
                || (required_role(m) == Role::Admin
                    && !matches!(*m, "accounts.list" | "kiosk.list" | "audit.list"));
            assert_eq!(Request::is_audited(m), write, "{m}");
        }
        assert!(!Request::is_audited("no.suchMethod"));
    }
}
