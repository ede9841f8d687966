//! Calibration: how far the machine and the reviewers agree, as percent agreement and Cohen's κ.
//!
//! Ratings are categories (a criterion's rating, or N/A). The machine is compared with each
//! reviewer's latest rating of a criterion; reviewers are compared pairwise on the criteria of a
//! session they both rated, and each reviewer with the consensus of the others. Only plain
//! ratings count: retracted reviews, adjudications and dispute overrides are left out, since
//! they were made knowing the other ratings or to settle a case, not to rate blind.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::store::{ReviewKind, ReviewedRating};

/// Fewer pairs than this and agreement or κ mean little: the report says so.
pub const MIN_PAIRS: usize = 30;

/// Agreement at least this high with a κ below [`LOW_KAPPA`] is the prevalence paradox: nearly
/// every rating is one value, so chance alone agrees that often. The report says so.
const HIGH_AGREEMENT: f64 = 0.8;

/// See [`HIGH_AGREEMENT`]; Landis and Koch's "slight" ends here.
const LOW_KAPPA: f64 = 0.2;

/// Agreement between two raters over paired ratings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Paired ratings.
    pub pairs: usize,
    /// Share of pairs with the same rating (0–1).
    pub percent: f64,
    /// Cohen's κ; `None` when chance agreement is total (both raters used one rating only).
    pub kappa: Option<f64>,
    /// Why the figures should not be trusted, when they should not: too few pairs, or high
    /// agreement that κ shows is mostly chance.
    pub warning: Option<String>,
}

/// What is wrong with an agreement's sample, if anything.
fn sample_warning(pairs: usize, percent: f64, kappa: Option<f64>) -> Option<String> {
    if pairs < MIN_PAIRS {
        return Some(format!(
            "only {pairs} pair(s): too few for the agreement or κ to mean much (at least {MIN_PAIRS}); review more sessions in full"
        ));
    }
    match kappa {
        None => Some(
            "κ undefined: both sides used one rating only, so agreement says nothing beyond chance"
                .to_owned(),
        ),
        Some(k) if percent >= HIGH_AGREEMENT && k < LOW_KAPPA => Some(format!(
            "{:.0}% agreement but κ {k:.2}: nearly every rating is the same value, so chance alone agrees this often",
            percent * 100.0
        )),
        Some(_) => None,
    }
}

/// Percent agreement and Cohen's κ of paired categorical ratings; `None` for no pairs.
pub fn agreement<T: Ord + Clone>(pairs: &[(T, T)]) -> Option<Agreement> {
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let agreed = pairs.iter().filter(|(a, b)| a == b).count() as f64;
    let mut first: BTreeMap<&T, f64> = BTreeMap::new();
    let mut second: BTreeMap<&T, f64> = BTreeMap::new();
    for (a, b) in pairs {
        *first.entry(a).or_default() += 1.0;
        *second.entry(b).or_default() += 1.0;
    }
    let observed = agreed / n;
    let chance: f64 = first
        .iter()
        .map(|(rating, count)| (count / n) * (second.get(rating).copied().unwrap_or(0.0) / n))
        .sum();
    let kappa = ((1.0 - chance).abs() > f64::EPSILON).then(|| (observed - chance) / (1.0 - chance));
    Some(Agreement {
        pairs: pairs.len(),
        percent: observed,
        kappa,
        warning: sample_warning(pairs.len(), observed, kappa),
    })
}

/// Landis and Koch's words for a κ.
pub fn kappa_label(kappa: Option<f64>) -> &'static str {
    match kappa {
        None => "undefined",
        Some(k) if k < 0.0 => "poor",
        Some(k) if k <= 0.20 => "slight",
        Some(k) if k <= 0.40 => "fair",
        Some(k) if k <= 0.60 => "moderate",
        Some(k) if k <= 0.80 => "substantial",
        Some(_) => "almost perfect",
    }
}

/// One row of a calibration report: a scope (all, a dimension or a criterion) and its agreements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationRow {
    /// `all`, `dimension`, or `criterion`.
    pub level: &'static str,
    pub name: String,
    pub machine_vs_reviewers: Option<Agreement>,
    pub between_reviewers: Option<Agreement>,
}

/// One reviewer's agreement in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerPeriod {
    /// The period's first day (`2026-01-05`) or month (`2026-01`), by the time of the review.
    pub period: String,
    pub machine: Option<Agreement>,
    pub consensus: Option<Agreement>,
}

/// One reviewer's calibration: with the machine, with the other reviewers' consensus, and over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerCalibration {
    pub reviewer: String,
    pub machine: Option<Agreement>,
    /// Against the most common rating of the other reviewers of the same criterion (items where
    /// the others tie, or nobody else rated, are left out).
    pub consensus: Option<Agreement>,
    pub over_time: Vec<ReviewerPeriod>,
}

/// The width of a reviewer's calibration periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CalibrationPeriod {
    Week,
    Month,
}

/// The whole calibration report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Reviews that count (plain ratings, not retracted).
    pub reviews: usize,
    /// Reviews left out: retracted, adjudications and dispute overrides.
    pub left_out: usize,
    pub reviewers: Vec<String>,
    pub rows: Vec<CalibrationRow>,
    pub per_reviewer: Vec<ReviewerCalibration>,
}

/// A rating as a category: the number, or N/A.
type Rating = Option<i32>;

/// A pair of ratings and where they belong.
struct Paired {
    dimension: String,
    criterion: String,
    pair: (Rating, Rating),
}

/// Computes agreement overall, per dimension, per criterion and per reviewer by month.
pub fn calibrate(reviews: &[ReviewedRating]) -> Calibration {
    calibrate_by(reviews, CalibrationPeriod::Month)
}

/// Computes agreement overall, per dimension, per criterion and per reviewer by `period`.
pub fn calibrate_by(all_reviews: &[ReviewedRating], period: CalibrationPeriod) -> Calibration {
    let reviews: Vec<&ReviewedRating> = all_reviews
        .iter()
        .filter(|r| r.review.is_active() && r.review.kind == ReviewKind::Rating)
        .collect();
    // The latest rating of each reviewer per session and criterion.
    let mut latest: BTreeMap<(&str, &str, &str), &ReviewedRating> = BTreeMap::new();
    for rated in reviews.iter().copied() {
        let review = &rated.review;
        latest.insert(
            (
                review.session_id.as_str(),
                review.criterion.as_str(),
                review.reviewer.as_str(),
            ),
            rated,
        );
    }
    let mut machine = Vec::new();
    let mut by_item: BTreeMap<(&str, &str), Vec<&ReviewedRating>> = BTreeMap::new();
    for ((session, criterion, _), rated) in &latest {
        machine.push(Paired {
            dimension: rated.dimension.clone(),
            criterion: (*criterion).to_owned(),
            pair: (rated.review.machine_rating, rated.review.rating),
        });
        by_item.entry((session, criterion)).or_default().push(rated);
    }
    let mut between = Vec::new();
    for raters in by_item.values() {
        for (index, a) in raters.iter().enumerate() {
            for b in &raters[index + 1..] {
                between.push(Paired {
                    dimension: a.dimension.clone(),
                    criterion: a.review.criterion.clone(),
                    pair: (a.review.rating, b.review.rating),
                });
            }
        }
    }
    let mut rows = vec![row("all", "all".to_owned(), &machine, &between, |_| true)];
    let dimensions: std::collections::BTreeSet<&str> =
        machine.iter().map(|p| p.dimension.as_str()).collect();
    for dimension in dimensions {
        rows.push(row(
            "dimension",
            dimension.to_owned(),
            &machine,
            &between,
            |p| p.dimension == dimension,
        ));
    }
    let criteria: std::collections::BTreeSet<&str> =
        machine.iter().map(|p| p.criterion.as_str()).collect();
    for criterion in criteria {
        rows.push(row(
            "criterion",
            criterion.to_owned(),
            &machine,
            &between,
            |p| p.criterion == criterion,
        ));
    }
    let reviewers: std::collections::BTreeSet<String> =
        reviews.iter().map(|r| r.review.reviewer.clone()).collect();
    let per_reviewer = reviewers
        .iter()
        .map(|reviewer| reviewer_calibration(reviewer, &latest, &by_item, period))
        .collect();
    Calibration {
        reviews: reviews.len(),
        left_out: all_reviews.len() - reviews.len(),
        reviewers: reviewers.into_iter().collect(),
        rows,
        per_reviewer,
    }
}

/// The most common rating of the other reviewers of an item, if one is most common.
fn consensus_of_others(raters: &[&ReviewedRating], reviewer: &str) -> Option<Rating> {
    let mut counts: BTreeMap<Rating, usize> = BTreeMap::new();
    for rated in raters.iter().filter(|r| r.review.reviewer != reviewer) {
        *counts.entry(rated.review.rating).or_default() += 1;
    }
    let top = counts.values().copied().max()?;
    let mut modes = counts.iter().filter(|(_, n)| **n == top);
    let (rating, _) = modes.next()?;
    modes.next().is_none().then_some(*rating)
}

/// The period label of an RFC 3339 time.
fn period_label(time: &str, period: CalibrationPeriod) -> String {
    let Ok(time) = time.parse::<jiff::Timestamp>() else {
        return "unknown".to_owned();
    };
    let date = time.to_zoned(jiff::tz::TimeZone::UTC).date();
    match period {
        CalibrationPeriod::Month => format!("{:04}-{:02}", date.year(), date.month()),
        CalibrationPeriod::Week => {
            let back = i64::from(date.weekday().to_monday_zero_offset());
            date.checked_sub(jiff::Span::new().days(back))
                .unwrap_or(date)
                .to_string()
        }
    }
}

/// One item a reviewer rated, as calibration pairs it.
struct ReviewerItem {
    period: String,
    /// (machine, reviewer).
    machine: (Rating, Rating),
    /// (reviewer, the others' consensus), when the others agree on one.
    consensus: Option<(Rating, Rating)>,
}

/// Agreement with the machine and with the consensus over some of a reviewer's items.
fn reviewer_agreements(items: &[&ReviewerItem]) -> (Option<Agreement>, Option<Agreement>) {
    let machine: Vec<(Rating, Rating)> = items.iter().map(|item| item.machine).collect();
    let consensus: Vec<(Rating, Rating)> = items.iter().filter_map(|item| item.consensus).collect();
    (agreement(&machine), agreement(&consensus))
}

/// One reviewer's pairs with the machine and with the consensus, overall and by period.
fn reviewer_calibration(
    reviewer: &str,
    latest: &BTreeMap<(&str, &str, &str), &ReviewedRating>,
    by_item: &BTreeMap<(&str, &str), Vec<&ReviewedRating>>,
    period: CalibrationPeriod,
) -> ReviewerCalibration {
    let mut rated: Vec<ReviewerItem> = Vec::new();
    for ((session, criterion, who), review) in latest {
        if *who != reviewer {
            continue;
        }
        let rating = review.review.rating;
        rated.push(ReviewerItem {
            period: period_label(&review.review.reviewed_at, period),
            machine: (review.review.machine_rating, rating),
            consensus: by_item
                .get(&(*session, *criterion))
                .and_then(|raters| consensus_of_others(raters, reviewer))
                .map(|others| (rating, others)),
        });
    }
    let all: Vec<&ReviewerItem> = rated.iter().collect();
    let (machine, consensus) = reviewer_agreements(&all);
    let periods: std::collections::BTreeSet<&str> =
        rated.iter().map(|item| item.period.as_str()).collect();
    let over_time = periods
        .into_iter()
        .map(|label| {
            let items: Vec<&ReviewerItem> =
                rated.iter().filter(|item| item.period == label).collect();
            let (machine, consensus) = reviewer_agreements(&items);
            ReviewerPeriod {
                period: label.to_owned(),
                machine,
                consensus,
            }
        })
        .collect();
    ReviewerCalibration {
        reviewer: reviewer.to_owned(),
        machine,
        consensus,
        over_time,
    }
}

fn row(
    level: &'static str,
    name: String,
    machine: &[Paired],
    between: &[Paired],
    keep: impl Fn(&Paired) -> bool,
) -> CalibrationRow {
    let pairs = |list: &[Paired]| -> Vec<(Rating, Rating)> {
        list.iter().filter(|p| keep(p)).map(|p| p.pair).collect()
    };
    CalibrationRow {
        level,
        name,
        machine_vs_reviewers: agreement(&pairs(machine)),
        between_reviewers: agreement(&pairs(between)),
    }
}

/// The calibration report as a terminal table.
pub fn render_calibration(calibration: &Calibration) -> String {
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "scope",
        "machine↔reviewer pairs",
        "agree",
        "κ",
        "reviewer↔reviewer pairs",
        "agree",
        "κ",
    ]);
    let cells = |a: Option<Agreement>| match a {
        Some(a) => vec![
            a.pairs.to_string(),
            // A figure that should not be trusted is marked; the notes under the table say why.
            if a.warning.is_some() {
                format!("{} ⚠", super::format_rate(a.percent))
            } else {
                super::format_rate(a.percent)
            },
            a.kappa.map_or_else(
                || "—".to_owned(),
                |k| format!("{k:.2} ({})", kappa_label(Some(k))),
            ),
        ],
        None => vec!["0".to_owned(), "—".to_owned(), "—".to_owned()],
    };
    for row in &calibration.rows {
        let scope = match row.level {
            "all" => "all criteria".to_owned(),
            "dimension" => format!("{} (dimension)", row.name),
            _ => format!("  {}", row.name),
        };
        let mut line = vec![scope];
        line.extend(cells(row.machine_vs_reviewers.clone()));
        line.extend(cells(row.between_reviewers.clone()));
        table.add_row(line);
    }
    // The totals' warnings in full, the narrower rows' counted, so the notes stay readable.
    let mut warnings = Vec::new();
    let mut narrower_warned = 0;
    for row in &calibration.rows {
        for (side, agreement) in [
            ("machine↔reviewer", row.machine_vs_reviewers.clone()),
            ("reviewer↔reviewer", row.between_reviewers.clone()),
        ] {
            match agreement.and_then(|a| a.warning) {
                Some(warning) if row.level == "all" => {
                    warnings.push(format!("⚠ all criteria, {side}: {warning}"));
                }
                Some(_) => narrower_warned += 1,
                None => {}
            }
        }
    }
    if narrower_warned > 0 {
        warnings.push(format!(
            "⚠ {narrower_warned} dimension or criterion figure(s) are marked: too few pairs (under {MIN_PAIRS}), or agreement that κ shows is mostly chance (`--json` says which)"
        ));
    }
    let mut reviewers = comfy_table::Table::new();
    reviewers.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    reviewers.set_header(vec![
        "reviewer",
        "period",
        "↔machine pairs",
        "agree",
        "κ",
        "↔consensus pairs",
        "agree",
        "κ",
    ]);
    for reviewer in &calibration.per_reviewer {
        let mut line = vec![reviewer.reviewer.clone(), "all".to_owned()];
        line.extend(cells(reviewer.machine.clone()));
        line.extend(cells(reviewer.consensus.clone()));
        reviewers.add_row(line);
        for (side, agreement) in [
            ("machine", reviewer.machine.clone()),
            ("consensus", reviewer.consensus.clone()),
        ] {
            if let Some(warning) = agreement.and_then(|a| a.warning) {
                warnings.push(format!("⚠ {} ↔ {side}: {warning}", reviewer.reviewer));
            }
        }
        for period in &reviewer.over_time {
            let mut line = vec![String::new(), period.period.clone()];
            line.extend(cells(period.machine.clone()));
            line.extend(cells(period.consensus.clone()));
            reviewers.add_row(line);
        }
    }
    let left_out = if calibration.left_out > 0 {
        format!(
            " ({} retracted, adjudication or dispute review(s) left out)",
            calibration.left_out
        )
    } else {
        String::new()
    };
    let warnings = if warnings.is_empty() {
        String::new()
    } else {
        format!("\n{}\n", warnings.join("\n"))
    };
    format!(
        "{} review(s) by {} reviewer(s): {}{left_out}\n{table}\n\nPer reviewer (consensus: the other reviewers' most common rating)\n{reviewers}\n{warnings}\nκ: Cohen's kappa (1 = perfect, 0 = chance); labels after Landis & Koch.\n",
        calibration.reviews,
        calibration.reviewers.len(),
        calibration.reviewers.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook example: 50 items, both say yes to 20, A yes/B no 5, A no/B yes 10, both no 15.
    /// p_o = 35/50 = 0.70; p_e = 0.5 × 0.6 + 0.5 × 0.4 = 0.50; κ = (0.70 − 0.50) / (1 − 0.50) = 0.40.
    #[test]
    fn kappa_matches_a_hand_computed_example() {
        let mut pairs = Vec::new();
        pairs.extend(std::iter::repeat_n((1, 1), 20));
        pairs.extend(std::iter::repeat_n((1, 0), 5));
        pairs.extend(std::iter::repeat_n((0, 1), 10));
        pairs.extend(std::iter::repeat_n((0, 0), 15));
        let result = agreement(&pairs).expect("pairs");
        assert_eq!(result.pairs, 50);
        assert!((result.percent - 0.70).abs() < 1e-12);
        assert!((result.kappa.expect("defined") - 0.40).abs() < 1e-12);
        assert_eq!(kappa_label(result.kappa), "fair");
    }

    /// Three categories (1, 3, N/A): p_o = 7/10; A rates them (4, 3, 3) times, B (3, 3, 4) times;
    /// p_e = 0.4 × 0.3 + 0.3 × 0.3 + 0.3 × 0.4 = 0.33; κ = 0.37 / 0.67.
    #[test]
    fn kappa_handles_several_ratings_and_na() {
        let pairs = [
            (Some(1), Some(1)),
            (Some(1), Some(1)),
            (Some(1), Some(3)),
            (Some(1), None),
            (Some(3), Some(3)),
            (Some(3), Some(3)),
            (Some(3), Some(1)),
            (None, None),
            (None, None),
            (None, None),
        ];
        let result = agreement(&pairs).expect("pairs");
        assert!((result.percent - 0.7).abs() < 1e-12);
        assert!((result.kappa.expect("defined") - 0.37 / 0.67).abs() < 1e-12);
    }

    #[test]
    fn high_agreement_with_no_kappa_or_few_pairs_carries_a_warning() {
        // 95 % agreement and κ 0.00: the machine always said 5.
        let mut pairs = vec![(5, 5); 38];
        pairs.extend([(5, 4), (5, 4)]);
        let result = agreement(&pairs).expect("pairs");
        assert!((result.percent - 0.95).abs() < 1e-12);
        assert!(result.kappa.expect("defined").abs() < 1e-12);
        let warning = result.warning.expect("a warning");
        assert!(warning.contains("chance alone"), "{warning}");
        let few = agreement(&pairs[..5]).expect("pairs");
        assert!(few.warning.expect("a warning").contains("too few"));
        let mut balanced = vec![(1, 1); 20];
        balanced.extend(vec![(0, 0); 20]);
        assert_eq!(agreement(&balanced).expect("pairs").warning, None);
    }

    fn rated(session: &str, reviewer: &str, rating: i32, kind: ReviewKind) -> ReviewedRating {
        ReviewedRating {
            review: crate::store::Review {
                id: 0,
                session_id: session.to_owned(),
                criterion: "empathy.apology".to_owned(),
                rating: Some(rating),
                machine_rating: Some(3),
                comment: String::new(),
                reviewer: reviewer.to_owned(),
                reviewed_at: "2026-02-02T10:00:00Z".to_owned(),
                kind,
                retraction: None,
            },
            dimension: "empathy".to_owned(),
        }
    }

    #[test]
    fn each_reviewer_is_compared_with_the_others_consensus_and_disputes_are_left_out() {
        let reviews = [
            rated("s1", "dana", 3, ReviewKind::Rating),
            rated("s1", "eli", 2, ReviewKind::Rating),
            rated("s1", "fay", 2, ReviewKind::Rating),
            rated("s1", "lead", 1, ReviewKind::Dispute),
        ];
        let calibration = calibrate(&reviews);
        assert_eq!((calibration.reviews, calibration.left_out), (3, 1));
        let dana = &calibration.per_reviewer[0];
        assert_eq!(dana.reviewer, "dana");
        let consensus = dana.consensus.as_ref().expect("eli and fay agree");
        assert_eq!((consensus.pairs, consensus.percent), (1, 0.0));
        assert_eq!(dana.machine.as_ref().map(|m| m.percent), Some(1.0));
        // For eli, the others (dana 3, fay 2) tie: no consensus to compare with.
        assert_eq!(calibration.per_reviewer[1].consensus, None);
        assert_eq!(dana.over_time[0].period, "2026-02");
        assert_eq!(
            period_label("2026-02-04T10:00:00Z", CalibrationPeriod::Week),
            "2026-02-02"
        );
    }

    #[test]
    fn kappa_is_undefined_when_both_raters_use_one_rating() {
        let result = agreement(&[(5, 5), (5, 5)]).expect("pairs");
        assert_eq!(result.percent, 1.0);
        assert_eq!(result.kappa, None);
        assert_eq!(agreement::<i32>(&[]), None);
    }
}
