//! Reports for QA leads over the results store: averages, pass rates, trends, weakest criteria, and an IQS-style overall.
//!
//! [`build_report`] reads the store once and aggregates in plain Rust, so SQLite and PostgreSQL
//! give the same report; [`table`], [`html`] and [`xapi`] render it.

pub mod calibration;
pub mod hints;
pub mod html;
pub mod review;
pub mod review_file;
pub mod show;
pub mod table;
pub mod xapi;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::scenario::Dimension;
use crate::store::{
    CriterionMean, DimensionScores, Filter, SessionSummary, Store, StoreError, StoredSession,
};

/// How many of a trainee's weakest criteria a report lists.
pub const WEAKEST_PER_TRAINEE: usize = 3;

/// A criterion's best mean score: one at this mean is never "weak", whatever else is.
const PERFECT_SCORE: f64 = 100.0;

/// The outcome label of a session that never ended.
pub const ABANDONED: &str = "abandoned";

/// How many groups the trend chart draws besides "all".
pub const CHARTED_GROUPS: usize = 8;

/// The label of the group holding every session.
pub const ALL: &str = "all";

/// What rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Trainee,
    Team,
    Scenario,
}

/// The width of a trend's time buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    Month,
}

/// What to report on.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub filter: Filter,
    /// Only this dimension (its scores and its criteria).
    pub dimension: Option<Dimension>,
    pub group_by: GroupBy,
    pub period: Period,
    /// How many of the newest sessions are listed (and drilled into in HTML).
    pub recent: usize,
}

/// Scores of a set of sessions: the machine's and the final ones (after reviews).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStats {
    pub group: String,
    pub sessions: usize,
    /// Sessions a reviewer changed.
    pub reviewed: usize,
    /// The IQS-style overall: the mean of the sessions' final overall scores.
    pub iqs: f64,
    /// The same mean over the machine's scores.
    pub machine_iqs: f64,
    /// Share of sessions passed (0–1), after reviews.
    pub pass_rate: f64,
    pub machine_pass_rate: f64,
    /// Sessions that never ended. They count in the IQS with the score they have and in the
    /// pass rate as failed: leaving them out would hide calls that left a customer hanging.
    pub abandoned: usize,
    /// Mean final score per dimension, in [`Dimension::ALL`] order.
    #[serde(serialize_with = "crate::store::serialize_dimension_scores")]
    pub dimensions: DimensionScores,
    #[serde(serialize_with = "crate::store::serialize_dimension_scores")]
    pub machine_dimensions: DimensionScores,
}

/// One dimension over every matching session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionStats {
    pub dimension: &'static str,
    pub machine_mean: Option<f64>,
    pub final_mean: Option<f64>,
    /// Sessions where the dimension was rated.
    pub rated: usize,
}

/// One bucket of a trend line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The bucket's first day (`2026-01-05`) or month (`2026-01`).
    pub period: String,
    pub sessions: usize,
    pub iqs: f64,
    pub machine_iqs: f64,
    pub pass_rate: f64,
}

/// A trend line of one group (or of all sessions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendSeries {
    pub group: String,
    pub points: Vec<TrendPoint>,
}

/// A trainee's weakest criteria, lowest final mean first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraineeWeakest {
    pub trainee: String,
    pub criteria: Vec<CriterionMean>,
}

/// A whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub generated_at: String,
    pub filter: Filter,
    pub dimension: Option<&'static str>,
    pub group_by: GroupBy,
    pub period: Period,
    pub totals: GroupStats,
    pub groups: Vec<GroupStats>,
    pub dimensions: Vec<DimensionStats>,
    pub trend: Vec<TrendSeries>,
    pub weakest: Vec<TraineeWeakest>,
    /// The newest sessions (at most `recent`).
    pub recent: Vec<SessionSummary>,
    /// Every matching session, newest first (CSV rows, xAPI); left out of JSON.
    #[serde(skip)]
    pub sessions: Vec<SessionSummary>,
}

impl Report {
    /// The dimensions this report shows.
    pub fn shown_dimensions(&self) -> Vec<Dimension> {
        match self.dimension.and_then(crate::store::dimension_from_label) {
            Some(dimension) => vec![dimension],
            None => Dimension::ALL.to_vec(),
        }
    }
}

/// Reads the store and aggregates a report; `progress` hears each stage.
pub fn build_report(
    store: &mut Store,
    options: &ReportOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, StoreError> {
    progress("reading sessions");
    let sessions = store.summaries(&options.filter)?;
    progress("reading criterion scores");
    let means = store.criterion_means(&options.filter)?;
    progress("aggregating");
    Ok(aggregate(sessions, means, options))
}

/// Builds a report from stored rows.
pub fn aggregate(
    sessions: Vec<SessionSummary>,
    means: Vec<CriterionMean>,
    options: &ReportOptions,
) -> Report {
    let totals = stats(ALL, sessions.iter());
    let mut grouped: BTreeMap<String, Vec<&SessionSummary>> = BTreeMap::new();
    for session in &sessions {
        grouped
            .entry(group_key(session, options.group_by))
            .or_default()
            .push(session);
    }
    let groups: Vec<GroupStats> = grouped
        .iter()
        .map(|(name, members)| stats(name, members.iter().copied()))
        .collect();
    let dimensions = Dimension::ALL
        .iter()
        .filter(|d| options.dimension.is_none_or(|only| only == **d))
        .map(|d| dimension_stats(*d, &sessions))
        .collect();
    let mut trend = vec![trend_series(ALL, sessions.iter(), options.period)];
    for (name, members) in &grouped {
        trend.push(trend_series(name, members.iter().copied(), options.period));
    }
    Report {
        generated_at: jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        filter: options.filter.clone(),
        dimension: options.dimension.map(Dimension::label),
        group_by: options.group_by,
        period: options.period,
        totals,
        groups,
        dimensions,
        trend,
        weakest: weakest(means, options.dimension),
        recent: sessions.iter().take(options.recent).cloned().collect(),
        sessions,
    }
}

fn group_key(session: &SessionSummary, group_by: GroupBy) -> String {
    match group_by {
        GroupBy::Trainee => session.trainee.clone(),
        GroupBy::Team => session
            .team
            .clone()
            .unwrap_or_else(|| "(no team)".to_owned()),
        GroupBy::Scenario => session.scenario_id.clone(),
    }
}

/// A running mean.
#[derive(Debug, Clone, Copy, Default)]
struct Mean {
    sum: f64,
    count: usize,
}

impl Mean {
    fn add(&mut self, value: f64) {
        self.sum += value;
        self.count += 1;
    }

    fn add_some(&mut self, value: Option<f64>) {
        if let Some(value) = value {
            self.add(value);
        }
    }

    fn get(self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    fn or_zero(self) -> f64 {
        self.get().unwrap_or(0.0)
    }
}

fn stats<'a>(name: &str, sessions: impl Iterator<Item = &'a SessionSummary>) -> GroupStats {
    let (mut iqs, mut machine_iqs, mut passed, mut machine_passed) = (
        Mean::default(),
        Mean::default(),
        Mean::default(),
        Mean::default(),
    );
    let mut dimensions = [Mean::default(); 4];
    let mut machine_dimensions = [Mean::default(); 4];
    let mut reviewed = 0;
    let mut abandoned = 0;
    for session in sessions {
        abandoned += usize::from(session.outcome == ABANDONED);
        iqs.add(session.final_overall);
        machine_iqs.add(session.overall);
        passed.add(f64::from(u8::from(session.final_passed)));
        machine_passed.add(f64::from(u8::from(session.passed)));
        reviewed += usize::from(session.reviewed);
        for index in 0..4 {
            dimensions[index].add_some(session.final_dimensions[index]);
            machine_dimensions[index].add_some(session.dimensions[index]);
        }
    }
    GroupStats {
        group: name.to_owned(),
        sessions: iqs.count,
        reviewed,
        iqs: iqs.or_zero(),
        machine_iqs: machine_iqs.or_zero(),
        pass_rate: passed.or_zero(),
        machine_pass_rate: machine_passed.or_zero(),
        abandoned,
        dimensions: dimensions.map(Mean::get),
        machine_dimensions: machine_dimensions.map(Mean::get),
    }
}

fn dimension_stats(dimension: Dimension, sessions: &[SessionSummary]) -> DimensionStats {
    let (mut machine, mut reviewed) = (Mean::default(), Mean::default());
    for session in sessions {
        machine.add_some(session.dimension(dimension));
        reviewed.add_some(session.final_dimension(dimension));
    }
    DimensionStats {
        dimension: dimension.label(),
        machine_mean: machine.get(),
        final_mean: reviewed.get(),
        rated: reviewed.count,
    }
}

/// Seconds in a day.
const DAY_SECS: i64 = 86_400;

/// The first day (days since 1970-01-01) of the bucket a time falls in; months are keyed by their first day too.
fn bucket(epoch: i64, period: Period) -> i64 {
    let day = epoch.div_euclid(DAY_SECS);
    match period {
        Period::Day => day,
        // 1970-01-01 was a Thursday: three days after a Monday.
        Period::Week => day - (day + 3).rem_euclid(7),
        Period::Month => {
            let date = civil_date(day);
            day - i64::from(date.day() - 1)
        }
    }
}

fn civil_date(day: i64) -> jiff::civil::Date {
    jiff::Timestamp::from_second(day * DAY_SECS)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .unwrap_or_default()
}

fn bucket_label(day: i64, period: Period) -> String {
    let date = civil_date(day);
    match period {
        Period::Day | Period::Week => date.to_string(),
        Period::Month => format!("{:04}-{:02}", date.year(), date.month()),
    }
}

fn trend_series<'a>(
    name: &str,
    sessions: impl Iterator<Item = &'a SessionSummary>,
    period: Period,
) -> TrendSeries {
    let mut buckets: BTreeMap<i64, (Mean, Mean, Mean)> = BTreeMap::new();
    for session in sessions {
        let (iqs, machine, passed) = buckets
            .entry(bucket(session.started_epoch, period))
            .or_default();
        iqs.add(session.final_overall);
        machine.add(session.overall);
        passed.add(f64::from(u8::from(session.final_passed)));
    }
    TrendSeries {
        group: name.to_owned(),
        points: buckets
            .into_iter()
            .map(|(day, (iqs, machine, passed))| TrendPoint {
                period: bucket_label(day, period),
                sessions: iqs.count,
                iqs: iqs.or_zero(),
                machine_iqs: machine.or_zero(),
                pass_rate: passed.or_zero(),
            })
            .collect(),
    }
}

fn weakest(means: Vec<CriterionMean>, dimension: Option<Dimension>) -> Vec<TraineeWeakest> {
    let mut by_trainee: BTreeMap<String, Vec<CriterionMean>> = BTreeMap::new();
    for mean in means {
        let perfect = mean.final_mean.is_some_and(|m| m >= PERFECT_SCORE);
        if mean.final_mean.is_none()
            || perfect
            || dimension.is_some_and(|d| d.label() != mean.dimension)
        {
            continue;
        }
        by_trainee
            .entry(mean.trainee.clone())
            .or_default()
            .push(mean);
    }
    by_trainee
        .into_iter()
        .map(|(trainee, mut criteria)| {
            criteria.sort_by(|a, b| {
                a.final_mean
                    .unwrap_or(0.0)
                    .total_cmp(&b.final_mean.unwrap_or(0.0))
                    .then_with(|| a.criterion.cmp(&b.criterion))
            });
            criteria.truncate(WEAKEST_PER_TRAINEE);
            TraineeWeakest { trainee, criteria }
        })
        .collect()
}

/// The sessions an HTML report drills into, in full.
pub fn load_recent(store: &mut Store, report: &Report) -> Result<Vec<StoredSession>, StoreError> {
    let ids: Vec<String> = report.recent.iter().map(|s| s.session_id.clone()).collect();
    store.load_sessions(&ids)
}

/// Why a date on the command line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date: use `2026-01-31` or an RFC 3339 time like `2026-01-31T09:00:00Z`")]
pub struct BadDate(pub String);

/// Unix seconds of a date (`2026-01-31`, midnight UTC) or an RFC 3339 time; `end_of_day` moves a bare date to the next midnight.
pub fn parse_date_bound(text: &str, end_of_day: bool) -> Result<i64, BadDate> {
    if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
        return Ok(timestamp.as_second());
    }
    let date: jiff::civil::Date = text.parse().map_err(|_| BadDate(text.to_owned()))?;
    let midnight = date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|_| BadDate(text.to_owned()))?
        .timestamp()
        .as_second();
    Ok(if end_of_day {
        midnight + DAY_SECS
    } else {
        midnight
    })
}

/// A score for people: `82.5`, or `—` when nothing was rated.
pub fn format_score(score: Option<f64>) -> String {
    score.map_or_else(|| "—".to_owned(), |s| format!("{s:.1}"))
}

/// An RFC 3339 time for people, to the second (`2026-01-05T08:00:00Z`): stored times may carry
/// nanoseconds; text that is not a time is shown as it is.
pub fn format_time(text: &str) -> String {
    match text.parse::<jiff::Timestamp>() {
        Ok(time) => jiff::Timestamp::from_second(time.as_second())
            .map_or_else(|_| text.to_owned(), |t| t.to_string()),
        Err(_) => text.to_owned(),
    }
}

/// A session clock for people: `2:05`.
pub fn format_time_ms(at_ms: u64) -> String {
    let secs = at_ms / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// A share as a percentage: `75%`.
pub fn format_rate(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        // 2026-01-07 is a Wednesday; its week starts on Monday 2026-01-05.
        let wednesday = parse_date_bound("2026-01-07", false).unwrap_or_default() + 3600;
        assert_eq!(
            bucket_label(bucket(wednesday, Period::Week), Period::Week),
            "2026-01-05"
        );
        assert_eq!(
            bucket_label(bucket(wednesday, Period::Month), Period::Month),
            "2026-01"
        );
        assert_eq!(
            bucket_label(bucket(wednesday, Period::Day), Period::Day),
            "2026-01-07"
        );
    }

    fn mean(trainee: &str, criterion: &str, final_mean: f64) -> CriterionMean {
        CriterionMean {
            trainee: trainee.to_owned(),
            criterion: criterion.to_owned(),
            dimension: "empathy".to_owned(),
            machine_mean: Some(final_mean),
            final_mean: Some(final_mean),
            rated: 4,
        }
    }

    #[test]
    fn weakest_criteria_leave_out_perfect_scores() {
        let weakest = weakest(
            vec![
                mean("ana", "empathy.a", 100.0),
                mean("ana", "empathy.b", 62.5),
                mean("ana", "empathy.c", 100.0),
                mean("ana", "empathy.d", 100.0),
                mean("bo", "empathy.a", 100.0),
            ],
            None,
        );
        let listed: Vec<(&str, Vec<&str>)> = weakest
            .iter()
            .map(|t| {
                (
                    t.trainee.as_str(),
                    t.criteria.iter().map(|c| c.criterion.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(listed, [("ana", vec!["empathy.b"])]);
    }

    #[test]
    fn times_are_shown_to_the_second() {
        assert_eq!(
            format_time("2026-12-04T21:45:12.123456789Z"),
            "2026-12-04T21:45:12Z"
        );
        assert_eq!(format_time("2026-01-05T08:00:00Z"), "2026-01-05T08:00:00Z");
        assert_eq!(format_time("not a time"), "not a time");
    }

    #[test]
    fn an_until_date_includes_that_whole_day() {
        let since = parse_date_bound("2026-01-07", false);
        let until = parse_date_bound("2026-01-07", true);
        assert_eq!(until.map(|u| u - since.unwrap_or_default()), Ok(DAY_SECS));
        assert!(parse_date_bound("last tuesday", false).is_err());
    }
}
