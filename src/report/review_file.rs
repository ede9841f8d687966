//! A whole scorecard's review in one JSON file (`rapport review SESSION --file card.json`), and the template a reviewer fills in.
//!
//! ```json
//! {"ratings": [
//!   {"criterion": "empathy.apology", "rating": 4, "comment": "sincere, named the delay"},
//!   {"criterion": "timeliness.hold", "rating": "na"}
//! ]}
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::review::CriterionRating;
use crate::scoring::Scorecard;

/// The file as written.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ReviewFile {
    /// The comment of every rating that has none of its own.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    comment: String,
    ratings: Vec<FileRating>,
}

/// One criterion's line of the file.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct FileRating {
    criterion: String,
    rating: RatingValue,
    #[serde(default)]
    comment: String,
}

/// A rating as the file spells it: a whole number, or `"na"` (or `null`) for not applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RatingValue(Option<i32>);

impl Serialize for RatingValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(rating) => serializer.serialize_i32(rating),
            None => serializer.serialize_str("na"),
        }
    }
}

impl<'de> Deserialize<'de> for RatingValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RatingValue, D::Error> {
        deserializer.deserialize_any(RatingVisitor)
    }
}

struct RatingVisitor;

impl Visitor<'_> for RatingVisitor {
    type Value = RatingValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number on the criterion's scale, or \"na\"")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<RatingValue, E> {
        i32::try_from(value)
            .map(|r| RatingValue(Some(r)))
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<RatingValue, E> {
        i32::try_from(value)
            .map(|r| RatingValue(Some(r)))
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(value), &self))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<RatingValue, E> {
        match value.to_ascii_lowercase().as_str() {
            "na" | "n/a" => Ok(RatingValue(None)),
            _ => Err(E::invalid_value(de::Unexpected::Str(value), &self)),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<RatingValue, E> {
        Ok(RatingValue(None))
    }
}

/// Why a review file was refused; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ReviewFileError {
    #[error("cannot read the review file `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "`{path}:{line}:{column}`: {message}; a review file is {{\"ratings\": [{{\"criterion\": \"empathy.apology\", \"rating\": 4, \"comment\": \"…\"}}]}} (`rapport review SESSION --template` prints one)"
    )]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("`{path}` rates no criterion; list them under \"ratings\"")]
    Empty { path: PathBuf },
}

/// Reads a review file into the ratings it gives.
pub fn read_review_file(path: &Path) -> Result<Vec<CriterionRating>, ReviewFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReviewFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_review_file(path, &text)
}

/// Parses a review file's text; `path` is named in errors.
pub fn parse_review_file(path: &Path, text: &str) -> Result<Vec<CriterionRating>, ReviewFileError> {
    let file: ReviewFile = serde_json::from_str(text).map_err(|error| ReviewFileError::Syntax {
        path: path.to_path_buf(),
        line: error.line(),
        column: error.column(),
        message: error
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned(),
    })?;
    if file.ratings.is_empty() {
        return Err(ReviewFileError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(file
        .ratings
        .into_iter()
        .map(|rated| CriterionRating {
            criterion: rated.criterion,
            rating: rated.rating.0,
            comment: if rated.comment.is_empty() {
                file.comment.clone()
            } else {
                rated.comment
            },
        })
        .collect())
}

/// A review file for a scorecard with every criterion at its current rating, to edit and pass back.
pub fn review_template(card: &Scorecard) -> String {
    let file = ReviewFile {
        comment: String::new(),
        ratings: card
            .criteria
            .iter()
            .map(|c| FileRating {
                criterion: c.id.to_string(),
                rating: RatingValue(c.rating),
                comment: String::new(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_numbers_na_and_the_shared_comment_are_read() {
        let ratings = parse_review_file(
            Path::new("card.json"),
            r#"{"comment": "calibration sample", "ratings": [
                {"criterion": "a", "rating": 3, "comment": "own"},
                {"criterion": "b", "rating": "NA"},
                {"criterion": "c", "rating": null}
            ]}"#,
        )
        .expect("parses");
        assert_eq!(
            ratings
                .iter()
                .map(|r| (r.criterion.as_str(), r.rating, r.comment.as_str()))
                .collect::<Vec<_>>(),
            [
                ("a", Some(3), "own"),
                ("b", None, "calibration sample"),
                ("c", None, "calibration sample")
            ]
        );
    }

    #[test]
    fn a_bad_rating_or_field_names_the_line_and_column() {
        let error = parse_review_file(
            Path::new("card.json"),
            "{\"ratings\": [\n  {\"criterion\": \"a\", \"rating\": \"lots\"}\n]}",
        )
        .expect_err("refused");
        let text = error.to_string();
        assert!(text.starts_with("`card.json:2:"), "{text}");
        assert!(text.contains("\"na\""), "{text}");
        let error = parse_review_file(
            Path::new("card.json"),
            "{\"ratings\": [{\"criterion\": \"a\", \"ratng\": 2}]}",
        )
        .expect_err("refused");
        assert!(error.to_string().contains("ratng"), "{error}");
    }
}
