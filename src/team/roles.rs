//! The role table: the five roles of the team server and, in one place, which actions each may take.
//!
//! | action                 | admin | QA lead | reviewer | trainer | trainee |
//! |------------------------|:-----:|:-------:|:--------:|:-------:|:-------:|
//! | view-session           | all   | all     | assigned or shared | all | own |
//! | review-session         | yes   | yes     | assigned or shared | –   | –   |
//! | adjudicate             | yes   | yes     | –        | –       | –       |
//! | manage-queues          | yes   | yes     | –        | –       | –       |
//! | work-queue             | yes   | yes     | yes      | –       | –       |
//! | share-session          | yes   | yes     | –        | –       | –       |
//! | raise-dispute          | –     | –       | –        | –       | own     |
//! | decide-dispute         | yes   | yes     | –        | –       | –       |
//! | run-calibration        | yes   | yes     | –        | –       | –       |
//! | join-calibration       | yes   | yes     | yes      | –       | –       |
//! | view-dashboards        | yes   | yes     | –        | yes     | own     |
//! | export                 | yes   | yes     | –        | yes     | own     |
//! | edit-scenarios         | yes   | –       | –        | yes     | –       |
//! | view-audit             | yes   | yes     | –        | –       | –       |
//! | manage-lrs             | yes   | yes     | –        | –       | –       |
//! | manage-users           | yes   | –       | –        | –       | –       |
//! | change-own-password    | yes   | yes     | yes      | yes     | yes     |
//!
//! "own" and "assigned or shared" are decided per session by [`super::access`]: the role table
//! says whether the role may take the action at all ([`Role::allows`]), and on which sessions
//! ([`Role::session_scope`]). Dashboards and exports of a trainee hold only their own sessions.

use serde::{Deserialize, Serialize};

/// What a person does on the team server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Runs the server: accounts, and every other action.
    Admin,
    /// Leads quality assurance: queues, adjudication, disputes, calibration, the audit log.
    QaLead,
    /// Rates the sessions assigned or shared to them, and takes part in calibration.
    Reviewer,
    /// Coaches from the dashboards and keeps the scenario library.
    Trainer,
    /// Plays calls, sees and disputes their own sessions.
    Trainee,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::QaLead,
        Role::Reviewer,
        Role::Trainer,
        Role::Trainee,
    ];

    /// The role's name in the store, the CLI and JSON.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::QaLead => "qa-lead",
            Role::Reviewer => "reviewer",
            Role::Trainer => "trainer",
            Role::Trainee => "trainee",
        }
    }

    /// The role with this name.
    pub fn from_label(label: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.label() == label)
    }

    /// Whether the role may take the action at all (on some subject).
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            ViewSession | ChangeOwnPassword => true,
            ReviewSession | WorkQueue | JoinCalibration => {
                matches!(self, Admin | QaLead | Reviewer)
            }
            Adjudicate | ManageQueues | ShareSession | DecideDispute | RunCalibration
            | ViewAudit | ManageLrs => matches!(self, Admin | QaLead),
            RaiseDispute => self == Trainee,
            ViewDashboards | Export => matches!(self, Admin | QaLead | Trainer | Trainee),
            EditScenarios => matches!(self, Admin | Trainer),
            ManageUsers => self == Admin,
        }
    }

    /// Which sessions the role sees and acts on.
    pub fn session_scope(self) -> SessionScope {
        match self {
            Role::Admin | Role::QaLead | Role::Trainer => SessionScope::All,
            Role::Reviewer => SessionScope::AssignedOrShared,
            Role::Trainee => SessionScope::Own,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Which stored sessions a role reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionScope {
    /// Every session.
    All,
    /// Sessions in the reviewer's queue, shared with them, or in a calibration they take part in.
    AssignedOrShared,
    /// The sessions stored under the user's own trainee name.
    Own,
}

/// Something a user may ask the team server to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    ViewSession,
    ReviewSession,
    Adjudicate,
    ManageQueues,
    WorkQueue,
    ShareSession,
    RaiseDispute,
    DecideDispute,
    RunCalibration,
    JoinCalibration,
    ViewDashboards,
    Export,
    EditScenarios,
    ViewAudit,
    ManageLrs,
    ManageUsers,
    ChangeOwnPassword,
}

impl Action {
    /// Every action, in the role table's order.
    pub const ALL: [Action; 17] = [
        Action::ViewSession,
        Action::ReviewSession,
        Action::Adjudicate,
        Action::ManageQueues,
        Action::WorkQueue,
        Action::ShareSession,
        Action::RaiseDispute,
        Action::DecideDispute,
        Action::RunCalibration,
        Action::JoinCalibration,
        Action::ViewDashboards,
        Action::Export,
        Action::EditScenarios,
        Action::ViewAudit,
        Action::ManageLrs,
        Action::ManageUsers,
        Action::ChangeOwnPassword,
    ];

    /// The action's name in the role table and JSON.
    pub fn label(self) -> &'static str {
        match self {
            Action::ViewSession => "view-session",
            Action::ReviewSession => "review-session",
            Action::Adjudicate => "adjudicate",
            Action::ManageQueues => "manage-queues",
            Action::WorkQueue => "work-queue",
            Action::ShareSession => "share-session",
            Action::RaiseDispute => "raise-dispute",
            Action::DecideDispute => "decide-dispute",
            Action::RunCalibration => "run-calibration",
            Action::JoinCalibration => "join-calibration",
            Action::ViewDashboards => "view-dashboards",
            Action::Export => "export",
            Action::EditScenarios => "edit-scenarios",
            Action::ViewAudit => "view-audit",
            Action::ManageLrs => "manage-lrs",
            Action::ManageUsers => "manage-users",
            Action::ChangeOwnPassword => "change-own-password",
        }
    }

    /// Whether the action is about one stored session, so that the session's visibility decides
    /// too ([`super::access`]).
    pub fn is_about_a_session(self) -> bool {
        matches!(
            self,
            Action::ViewSession
                | Action::ReviewSession
                | Action::Adjudicate
                | Action::ShareSession
                | Action::RaiseDispute
                | Action::DecideDispute
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table in this file's header, row by row: a change to [`Role::allows`] that the
    /// documentation does not follow fails here.
    #[test]
    fn the_documented_table_is_the_one_applied() {
        let header = include_str!("roles.rs");
        let mut checked = 0;
        for line in header.lines().filter(|l| l.starts_with("//! | ")) {
            let cells: Vec<&str> = line
                .trim_start_matches("//!")
                .split('|')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            let Some(action) = Action::ALL.into_iter().find(|a| a.label() == cells[0]) else {
                continue;
            };
            for (role, cell) in Role::ALL.into_iter().zip(&cells[1..]) {
                assert_eq!(
                    role.allows(action),
                    *cell != "–",
                    "{} / {}",
                    action.label(),
                    role.label()
                );
            }
            checked += 1;
        }
        assert_eq!(checked, Action::ALL.len());
    }

    #[test]
    fn role_labels_read_back() {
        for role in Role::ALL {
            assert_eq!(Role::from_label(role.label()), Some(role));
        }
        assert_eq!(Role::from_label("boss"), None);
    }
}
