//! Roles and what each may call: the one table the relay enforces on every request and the
//! console uses to hide what the signed-in user cannot do.
//!
//! Roles are ordered — kiosk < viewer < operator < admin — and each method needs a minimum role,
//! so every role can do everything the roles below it can. A method missing from the table
//! needs admin: a new method is closed until someone decides who may call it.

use serde::{Deserialize, Serialize};

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

/// The lowest role that may call `method` (admin for methods not listed).
pub fn required_role(method: &str) -> Role {
    match method {
        "session.whoami" | "devices.list" | "system.getTimeZone" | "tna.getConfig"
        | "tna.getLog" | "events.subscribe" | "events.unsubscribe" | "archive.logs" => Role::Kiosk,
        "devices.capabilities"
        | "schedules.list"
        | "tna.getJobCodeLog"
        | "jobCodes.get"
        | "system.getJobCodeUse"
        | "time.get"
        | "time.getZones"
        | "archive.status"
        | "archive.jobCodeLogs"
        | "timecards.get"
        | "timecards.getPolicy" => Role::Viewer,
        "tna.setConfig"
        | "tna.setConfigMulti"
        | "jobCodes.set"
        | "jobCodes.setMulti"
        | "system.setJobCodeUse"
        | "time.sync"
        | "time.fixZones"
        | "archive.sync" => Role::Operator,
        _ => Role::Admin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Request;

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
}
