//! The whole-scorecard review form: every criterion on one page with its scale, N/A, the machine's rating and evidence, and a comment, sent in one POST; and reading that form back into ratings.

use std::collections::BTreeMap;

use maud::{Markup, html};

use crate::report::review::{CriterionRating, CriterionView};
use crate::serve::pages::session_detail::rating_text;

/// The field prefix of a criterion's rating (`rating.empathy.apology`).
const RATING_FIELD: &str = "rating.";
/// The field prefix of a criterion's comment.
const COMMENT_FIELD: &str = "comment.";
/// The value of the N/A choice.
const NOT_APPLICABLE: &str = "na";
/// The longest comment kept, in characters: a paragraph, not a document.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// The words of a whole-card form: the review's, or a blind calibration's.
#[derive(Debug, Clone, Copy)]
pub struct FormWords {
    /// What saving does, after the keyboard hint.
    pub what_saving_does: &'static str,
    /// How the preset rating is named when it is not the machine's.
    pub preset: &'static str,
    pub submit: &'static str,
}

/// The review form's words: each criterion is preset to the rating that counts now.
pub const REVIEW_WORDS: FormWords = FormWords {
    what_saving_does: "Each rating is stored as a new review; earlier reviews are kept.",
    preset: "counts now",
    submit: "Save the review",
};

/// The form, each criterion preset (to the rating that counts now, for a review), so a reviewer
/// who agrees only moves on. Radio groups let the keyboard choose with the arrow keys and Tab to
/// the next criterion; the first criterion has the focus when the page opens.
pub fn review_form(
    action: &str,
    csrf: &str,
    views: &[CriterionView],
    extra: Markup,
    words: FormWords,
) -> Markup {
    html! {
        form.stack method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            p.muted { "Rate every criterion: a digit (or n for N/A) rates the focused criterion and moves to the next; arrow keys and Tab work too. " (words.what_saving_does) }
            @for (index, view) in views.iter().enumerate() {
                fieldset.criterion id=(format!("rate-{}", view.criterion)) {
                    legend { (view.title) " " code.muted { (view.criterion) } }
                    p.machine {
                        "Machine: " (rating_text(view.machine_rating, view.max)) " — " (view.reason)
                        @if view.effective_rating != view.machine_rating { " · " (words.preset) ": " (rating_text(view.effective_rating, view.max)) }
                    }
                    @if !view.evidence.is_empty() {
                        ul.ev {
                            @for e in &view.evidence {
                                li class=(if e.polarity == crate::analysis::Polarity::Good { "good" } else { "bad" }) {
                                    @if !e.quote.is_empty() { "“" (e.quote) "” " } span.muted { (e.note) }
                                }
                            }
                        }
                    }
                    div.ratings role="radiogroup" aria-label=(format!("Rating of {}", view.title)) {
                        @for value in view.min..=view.max {
                            label {
                                input type="radio" name=(format!("{RATING_FIELD}{}", view.criterion)) value=(value)
                                    checked[view.effective_rating == Some(value)] required
                                    autofocus[index == 0 && view.effective_rating == Some(value)];
                                span { (value) }
                            }
                        }
                        label {
                            input type="radio" name=(format!("{RATING_FIELD}{}", view.criterion)) value=(NOT_APPLICABLE)
                                checked[view.effective_rating.is_none()]
                                autofocus[index == 0 && view.effective_rating.is_none()];
                            span { "N/A" }
                        }
                    }
                    label for=(format!("c-{}", view.criterion)) { "Comment" }
                    textarea id=(format!("c-{}", view.criterion)) name=(format!("{COMMENT_FIELD}{}", view.criterion)) maxlength=(MAX_COMMENT_CHARS) rows="2" {}
                }
            }
            (extra)
            p { button type="submit" { (words.submit) } }
        }
    }
}

/// The ratings a sent form holds, one per criterion of the session; every criterion must be
/// rated, on its scale, and nothing else may be.
pub fn read_review_form(
    fields: &[(String, String)],
    views: &[CriterionView],
) -> Result<Vec<CriterionRating>, String> {
    let mut ratings: BTreeMap<&str, &str> = BTreeMap::new();
    let mut comments: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, value) in fields {
        if let Some(criterion) = name.strip_prefix(RATING_FIELD) {
            if ratings.insert(criterion, value).is_some() {
                return Err(format!("`{criterion}` was rated twice; rate it once"));
            }
        } else if let Some(criterion) = name.strip_prefix(COMMENT_FIELD) {
            comments.insert(criterion, value);
        }
    }
    if let Some(unknown) = ratings
        .keys()
        .chain(comments.keys())
        .find(|c| !views.iter().any(|v| v.criterion == **c))
    {
        return Err(format!("this session has no criterion `{unknown}`"));
    }
    let mut out = Vec::with_capacity(views.len());
    for view in views {
        let Some(text) = ratings.get(view.criterion.as_str()) else {
            return Err(format!(
                "`{}` ({}) has no rating; choose one, or N/A",
                view.title, view.criterion
            ));
        };
        let rating = if *text == NOT_APPLICABLE {
            None
        } else {
            match text.parse::<i32>() {
                Ok(value) if (view.min..=view.max).contains(&value) => Some(value),
                _ => {
                    return Err(format!(
                        "`{text}` is not a rating of `{}`; choose {}–{} or N/A",
                        view.criterion, view.min, view.max
                    ));
                }
            }
        };
        let comment = comments
            .get(view.criterion.as_str())
            .map(|c| c.trim().chars().take(MAX_COMMENT_CHARS).collect())
            .unwrap_or_default();
        out.push(CriterionRating {
            criterion: view.criterion.clone(),
            rating,
            comment,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(id: &str) -> CriterionView {
        CriterionView {
            criterion: id.to_owned(),
            dimension: "empathy",
            title: id.to_owned(),
            min: 1,
            max: 5,
            machine_rating: Some(3),
            effective_rating: Some(3),
            adjudicated: false,
            reviewers_disagree: false,
            reason: String::new(),
            evidence: Vec::new(),
            reviews: Vec::new(),
        }
    }

    fn field(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn a_whole_card_reads_back_with_na_and_comments() {
        let views = [view("a"), view("b")];
        let ratings = read_review_form(
            &[
                field("csrf", "x"),
                field("rating.a", "4"),
                field("comment.a", "  kind  "),
                field("rating.b", "na"),
            ],
            &views,
        )
        .unwrap();
        assert_eq!(ratings[0].rating, Some(4));
        assert_eq!(ratings[0].comment, "kind");
        assert_eq!(ratings[1].rating, None);
    }

    #[test]
    fn a_missing_unknown_or_out_of_scale_rating_is_refused() {
        let views = [view("a"), view("b")];
        let refused = |fields: &[(String, String)]| read_review_form(fields, &views).unwrap_err();
        assert!(refused(&[field("rating.a", "4")]).contains("`b`"));
        assert!(refused(&[field("rating.a", "9"), field("rating.b", "1")]).contains("1–5"));
        assert!(
            refused(&[
                field("rating.a", "1"),
                field("rating.b", "1"),
                field("rating.zz", "1")
            ])
            .contains("`zz`")
        );
    }
}
