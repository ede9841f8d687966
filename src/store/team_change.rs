//! Moving a trainee between teams: the memberships a change closes and opens, planned so that
//! memberships never overlap (both backends write the plan in their own transaction).

use super::{StoreError, epoch_text};

/// A trainee's memberships as a team change needs them, read in the changing transaction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct TeamState {
    /// The current membership: its row id, team and start.
    pub open: Option<(i64, String, Option<i64>)>,
    /// Whether the trainee was ever in a team.
    pub ever: bool,
    /// When their last closed membership ended.
    pub last_end: Option<i64>,
}

/// What a team change writes: a membership to close (row id, end) and one to open (start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct TeamPlan {
    pub close: Option<(i64, i64)>,
    pub open: Option<Option<i64>>,
}

/// The writes that put a trainee in `team` (`None`: out of any team) from `since` (default now),
/// keeping memberships from overlapping: a change never starts before the current membership
/// began or the last one ended. A first team without `since` covers all their sessions.
pub(super) fn plan_team_change(
    trainee: &str,
    team: Option<&str>,
    state: &TeamState,
    since: Option<i64>,
    now: i64,
) -> Result<TeamPlan, StoreError> {
    let start = since.unwrap_or(now);
    match (&state.open, team) {
        (Some((_, current, _)), Some(team)) if current == team => Ok(TeamPlan::default()),
        (Some((id, current, joined)), team) => {
            if let Some(joined) = *joined
                && start < joined
            {
                return Err(StoreError::TeamMoveBeforeJoin {
                    trainee: trainee.to_owned(),
                    team: current.clone(),
                    joined: epoch_text(joined),
                });
            }
            Ok(TeamPlan {
                close: Some((*id, start)),
                open: team.map(|_| Some(start)),
            })
        }
        (None, None) => Ok(TeamPlan::default()),
        (None, Some(_)) if !state.ever => Ok(TeamPlan {
            close: None,
            open: Some(since),
        }),
        (None, Some(_)) => {
            if let Some(left) = state.last_end
                && start < left
            {
                return Err(StoreError::TeamStartBeforeLeaving {
                    trainee: trainee.to_owned(),
                    left: epoch_text(left),
                });
            }
            Ok(TeamPlan {
                close: None,
                open: Some(Some(start)),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_team(team: &str, since: Option<i64>) -> TeamState {
        TeamState {
            open: Some((7, team.to_owned(), since)),
            ever: true,
            last_end: None,
        }
    }

    #[test]
    fn a_first_team_covers_all_sessions_and_a_move_closes_the_old_one() {
        let plan = plan_team_change("ana", Some("north"), &TeamState::default(), None, 500);
        assert_eq!(
            plan.ok(),
            Some(TeamPlan {
                close: None,
                open: Some(None)
            })
        );
        let plan = plan_team_change(
            "ana",
            Some("south"),
            &in_team("north", None),
            Some(300),
            500,
        );
        assert_eq!(
            plan.ok(),
            Some(TeamPlan {
                close: Some((7, 300)),
                open: Some(Some(300))
            })
        );
        let same = plan_team_change("ana", Some("north"), &in_team("north", None), None, 500);
        assert_eq!(same.ok(), Some(TeamPlan::default()));
    }

    #[test]
    fn memberships_never_overlap() {
        let early = plan_team_change(
            "ana",
            Some("south"),
            &in_team("north", Some(400)),
            Some(300),
            500,
        );
        assert!(matches!(early, Err(StoreError::TeamMoveBeforeJoin { .. })));
        let unset = plan_team_change("ana", None, &in_team("north", Some(400)), Some(300), 500);
        assert!(matches!(unset, Err(StoreError::TeamMoveBeforeJoin { .. })));
        let left = TeamState {
            open: None,
            ever: true,
            last_end: Some(400),
        };
        let back = plan_team_change("ana", Some("north"), &left, Some(300), 500);
        assert!(matches!(
            back,
            Err(StoreError::TeamStartBeforeLeaving { .. })
        ));
        assert_eq!(
            plan_team_change("ana", Some("north"), &left, None, 500).ok(),
            Some(TeamPlan {
                close: None,
                open: Some(Some(500))
            })
        );
    }
}
