//! Stage 4, interpretation: the amounts of money and shares a reply or a policy's terms name
//! (`£20`, `$50.00`, `20 pounds`, `40 quid`, `10%`, `15 per cent`).
//!
//! A currency symbol before the number names its currency; otherwise the word after it must:
//! a percent word, a currency word of the lexicon's language (`pounds`), or a currency code the
//! scenario format knows (`GBP`, see [`crate::scenario::currency_code`]).

use std::collections::BTreeMap;

use regex::Regex;

use crate::scenario::{Amount, AmountUnit, currency_code, currency_symbol, parse_hundredths};

/// The words of money in one language, and the regex that finds amounts with them.
#[derive(Debug)]
pub(crate) struct MoneyWords {
    /// Currency words after a number and the currency code each names (`pounds` → `GBP`).
    currencies: BTreeMap<String, String>,
    /// Words after a number that make it a share (`per cent`).
    percent: Vec<String>,
    /// An amount: an optional currency symbol, a number, and the word after it.
    amount: Regex,
}

impl MoneyWords {
    /// The money words of a lexicon (lower case).
    pub(crate) fn new(currencies: &BTreeMap<String, String>, percent: &[String]) -> MoneyWords {
        let percent: Vec<String> = percent.iter().map(|p| p.trim().to_lowercase()).collect();
        let percent_words: String = percent
            .iter()
            .map(|word| format!("{}|", regex::escape(word)))
            .collect();
        // The number stands at a word start (nothing alphanumeric right before it or its symbol).
        let amount = format!(
            r"(?:^|[^\p{{L}}\p{{N}}])(?:(?P<symbol>[£＄$€¥₹]) *)?(?P<number>[0-9]+(?:[.,][0-9]+)*)(?:\s*(?P<unit>%|{percent_words}\p{{L}}+))?"
        );
        MoneyWords {
            currencies: currencies
                .iter()
                .map(|(word, code)| (word.trim().to_lowercase(), code.trim().to_owned()))
                .collect(),
            percent,
            // Built from escaped words around a fixed pattern, so it always compiles.
            amount: Regex::new(&amount).unwrap_or_else(|e| panic!("the amount pattern: {e}")),
        }
    }

    /// The amounts in a lower-cased text, in order.
    pub(crate) fn amounts_in<'t>(&'t self, text: &'t str) -> impl Iterator<Item = Amount> + 't {
        self.amount.captures_iter(text).filter_map(|found| {
            let hundredths = parse_hundredths(found.name("number")?.as_str())?;
            let symbol = found
                .name("symbol")
                .and_then(|s| s.as_str().chars().next())
                .and_then(currency_symbol);
            let unit = found.name("unit").map_or("", |u| u.as_str());
            let unit = if let Some(symbol) = symbol {
                AmountUnit::Currency(symbol)
            } else if unit == "%" || self.percent.iter().any(|p| p == unit) {
                AmountUnit::Percent
            } else {
                let code = self.currencies.get(unit).map_or(unit, String::as_str);
                AmountUnit::Currency(currency_code(code)?)
            };
            Some(Amount { hundredths, unit })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let currencies = [("pounds", "GBP"), ("quid", "GBP"), ("dollars", "USD")]
            .map(|(word, code)| (word.to_owned(), code.to_owned()));
        let money = MoneyWords::new(
            &BTreeMap::from(currencies),
            &["per cent".to_owned(), "percent".to_owned()],
        );
        money.amounts_in(text).map(|a| a.to_string()).collect()
    }

    #[test]
    fn amounts_are_read_in_their_forms() {
        assert_eq!(all("i can pop a £20 credit on"), ["£20"]);
        assert_eq!(all("a $50.00 voucher and 10% off"), ["$50", "10%"]);
        assert_eq!(all("40 quid, 3 days, 15 per cent"), ["£40", "15%"]);
        assert_eq!(all("order wm55812 for 2 items"), Vec::<String>::new());
        assert_eq!(all("£1,250.50"), ["£1250.50"]);
        assert_eq!(all("20 gbp or 30 usd"), ["£20", "$30"]);
    }
}
