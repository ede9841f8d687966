//! The report behind the dashboard and the exports: the filters people choose, narrowed to the sessions they may see, aggregated by the same code as `rapport report`.

use serde::Deserialize;

use crate::report::{GroupBy, Period, Report, ReportOptions, build_report};
use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::serve::pages::sessions::ListQuery;
use crate::store::dimension_from_label;
use crate::team::{Action, Team, Visibility};

/// How many of the newest sessions a report lists.
pub const RECENT_SESSIONS: usize = 20;

/// The dashboard's and exports' choices, as the form sends them.
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    #[serde(flatten)]
    pub list: ListQuery,
    /// `empathy`, `timeliness`, `expectations`, `ownership`, or empty for all.
    #[serde(default)]
    pub dimension: String,
    /// `trainee` (default), `team` or `scenario`.
    #[serde(default)]
    pub group: String,
    /// `day`, `week` (default) or `month`.
    #[serde(default)]
    pub period: String,
}

impl ReportQuery {
    fn options(&self) -> Result<ReportOptions, PageError> {
        let dimension = match self.dimension.trim() {
            "" => None,
            label => Some(dimension_from_label(label).ok_or_else(|| {
                PageError::BadRequest(format!(
                    "`{label}` is not a dimension; choose empathy, timeliness, expectations or ownership"
                ))
            })?),
        };
        let group_by = match self.group.trim() {
            "" | "trainee" => GroupBy::Trainee,
            "team" => GroupBy::Team,
            "scenario" => GroupBy::Scenario,
            other => {
                return Err(PageError::BadRequest(format!(
                    "`{other}` is not a grouping; choose trainee, team or scenario"
                )));
            }
        };
        let period = match self.period.trim() {
            "day" => Period::Day,
            "" | "week" => Period::Week,
            "month" => Period::Month,
            other => {
                return Err(PageError::BadRequest(format!(
                    "`{other}` is not a period; choose day, week or month"
                )));
            }
        };
        Ok(ReportOptions {
            filter: self.list.filter()?,
            dimension,
            group_by,
            period,
            recent: RECENT_SESSIONS,
        })
    }
}

/// The report a viewer may read for `query`, with `action` (dashboards or export) checked: every
/// session for roles that see all, only their own for a trainee.
pub async fn visible_report(
    state: &AppState,
    viewer: &Viewer,
    action: Action,
    query: &ReportQuery,
) -> Result<Report, PageError> {
    viewer.require(action)?;
    let mut options = query.options()?;
    let user = viewer.user().clone();
    state
        .pool
        .run(move |store| {
            let mut team = Team::new(store);
            match team.visibility(&user)? {
                Visibility::All => {}
                Visibility::Trainee(name) => {
                    // Asking for someone else gives an empty report, never theirs.
                    if options.filter.trainees.iter().any(|t| *t != name) {
                        options.filter.trainees = vec![String::new()];
                    } else {
                        options.filter.trainees = vec![name];
                    }
                }
                // Reports aggregate whole filters; a role that sees a hand-picked set of
                // sessions has no report to read.
                Visibility::Sessions(_) | Visibility::Nothing => return Err(PageError::Forbidden),
            }
            Ok(build_report(team.store(), &options, &mut |_| {})?)
        })
        .await
}
