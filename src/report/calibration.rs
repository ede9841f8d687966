//! Calibration: how far the machine and the reviewers agree, as percent agreement and Cohen's κ.
//!
//! Ratings are categories (a criterion's rating, or N/A). The machine is compared with each
//! reviewer's latest rating of a criterion; reviewers are compared pairwise on the criteria of a
//! session they both rated.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::store::ReviewedRating;

/// Agreement between two raters over paired ratings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Agreement {
    /// Paired ratings.
    pub pairs: usize,
    /// Share of pairs with the same rating (0–1).
    pub percent: f64,
    /// Cohen's κ; `None` when chance agreement is total (both raters used one rating only).
    pub kappa: Option<f64>,
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

/// The whole calibration report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    pub reviews: usize,
    pub reviewers: Vec<String>,
    pub rows: Vec<CalibrationRow>,
}

/// A rating as a category: the number, or N/A.
type Rating = Option<i32>;

/// A pair of ratings and where they belong.
struct Paired {
    dimension: String,
    criterion: String,
    pair: (Rating, Rating),
}

/// Computes agreement overall, per dimension and per criterion.
pub fn calibrate(reviews: &[ReviewedRating]) -> Calibration {
    // The latest rating of each reviewer per session and criterion.
    let mut latest: BTreeMap<(&str, &str, &str), &ReviewedRating> = BTreeMap::new();
    for rated in reviews {
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
    Calibration {
        reviews: reviews.len(),
        reviewers: reviewers.into_iter().collect(),
        rows,
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
            super::format_rate(a.percent),
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
        line.extend(cells(row.machine_vs_reviewers));
        line.extend(cells(row.between_reviewers));
        table.add_row(line);
    }
    format!(
        "{} review(s) by {} reviewer(s): {}\n{table}\nκ: Cohen's kappa (1 = perfect, 0 = chance); labels after Landis & Koch.\n",
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
    fn kappa_is_undefined_when_both_raters_use_one_rating() {
        let result = agreement(&[(5, 5), (5, 5)]).expect("pairs");
        assert_eq!(result.percent, 1.0);
        assert_eq!(result.kappa, None);
        assert_eq!(agreement::<i32>(&[]), None);
    }
}
