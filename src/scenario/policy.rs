//! The policy part of the scenario format: what a trainee may commit to, how much, when and on
//! what condition, and when the call takes place.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// Ground truth for honest expectation-setting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Plain facts of the case, shown to the trainee ("Order #4471 left the warehouse on 3 March").
    #[serde(default)]
    pub facts: Vec<String>,
    /// What the company can and cannot commit to, kind by kind.
    #[serde(default)]
    pub commitments: Vec<Commitment>,
    /// Business jargon this customer will not understand ("RMA", "SLA").
    #[serde(default)]
    pub jargon: Vec<String>,
    /// Facts of the customer that a commitment's conditions test, by name
    /// (`{"fare": "basic economy", "tier": "gold", "passengers": "2"}`).
    #[serde(default)]
    pub customer: BTreeMap<String, String>,
}

impl Policy {
    /// The policy's rule for a kind of commitment, if it has one.
    pub fn commitment(&self, kind: PromiseKind) -> Option<&Commitment> {
        self.commitments.iter().find(|c| c.kind == kind)
    }
}

/// The policy for one kind of commitment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    /// What kind of promise this governs.
    pub kind: PromiseKind,
    /// Whether the trainee may promise it at all.
    pub allowed: bool,
    /// The policy in plain words, shown to the trainee and quoted as evidence.
    pub terms: SmolStr,
    /// The soonest it can happen, in hours; promising it sooner is an over-promise.
    #[serde(default)]
    pub min_hours: Option<u32>,
    /// The realistic latest, in hours; a time frame within `min_hours..=max_hours` is honest.
    #[serde(default)]
    pub max_hours: Option<u32>,
    /// Whether `min_hours` and `max_hours` count working days only (Monday to Friday, 24 hours
    /// a day): from a Friday call, "by Monday" is one working day.
    #[serde(default)]
    pub working_days: bool,
    /// The most that may be promised of this kind, as money (`"£15"`, `"$50"`) or a share
    /// (`"10%"`); promising more is an over-promise.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// What `amount` is counted per: the name of a number in [`Policy::customer`]
    /// (`per: "passengers"` with `customer: {"passengers": "2"}` allows twice `amount`).
    #[serde(default)]
    pub per: Option<String>,
    /// Conditions that must all hold for the commitment to be allowed; promising it when one
    /// does not is an over-promise.
    #[serde(default)]
    pub only_if: Vec<Requirement>,
    /// The trade's own words for this kind, read as naming it in a reply ("travel certificate"
    /// for `Compensation`, "rebook" for `Modification`).
    #[serde(default)]
    pub words: Vec<String>,
}

impl Commitment {
    /// A commitment of a kind with its terms and nothing more: no time frame, amount,
    /// condition or trade words.
    pub fn new(kind: PromiseKind, allowed: bool, terms: &str) -> Commitment {
        Commitment {
            kind,
            allowed,
            terms: terms.into(),
            min_hours: None,
            max_hours: None,
            working_days: false,
            amount: None,
            per: None,
            only_if: Vec::new(),
            words: Vec::new(),
        }
    }

    /// The most that may be promised, counting `per` against the customer's facts.
    pub fn cap(&self, policy: &Policy) -> Option<Amount> {
        let amount = self.amount?;
        let units = self
            .per
            .as_ref()
            .and_then(|name| policy.customer.get(name))
            .and_then(|count| count.trim().parse::<u32>().ok())
            .unwrap_or(1);
        Some(Amount {
            hundredths: amount.hundredths.saturating_mul(u64::from(units.max(1))),
            ..amount
        })
    }
}

/// A condition under which a commitment is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Requirement {
    /// A scenario flag is set when the reply is made: `Flag("booking_changed")`.
    Flag(String),
    /// A fact of the customer has this value (case-insensitive): `Customer("fare", "flexible")`.
    Customer(String, String),
    /// The same reply, or an earlier one, also commits to this kind: `With(Modification)` for
    /// "only if the booking is changed".
    With(PromiseKind),
    /// At least one of these holds: `AnyOf([Flag("booking_changed"), With(Modification)])` for
    /// "only if the booking is changed", whether an option changed it or the reply does.
    AnyOf(Vec<Requirement>),
}

/// The kinds of commitment a trainee can make, which the promise ledger tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PromiseKind {
    /// Money back.
    Refund,
    /// A new item sent.
    Replacement,
    /// Somebody calls or writes back.
    Callback,
    /// A credit, voucher, discount or goodwill gesture.
    Compensation,
    /// Faster shipping or processing than standard.
    Expedite,
    /// A delivery or arrival date.
    Delivery,
    /// A fault or outage fixed by a time.
    Fix,
    /// A supervisor or manager will take it, or decide in the customer's favour.
    Escalation,
    /// A cancellation or a charge reversed.
    Cancellation,
    /// A fee waived.
    Waiver,
    /// A guarantee that something will (or will not) happen.
    Guarantee,
    /// A booking or order changed: new date, new flight, new address, an upgrade.
    Modification,
    /// An exception made to the policy for this customer.
    Exception,
}

impl PromiseKind {
    /// Every kind, in display order.
    pub const ALL: [PromiseKind; 13] = [
        PromiseKind::Refund,
        PromiseKind::Replacement,
        PromiseKind::Callback,
        PromiseKind::Compensation,
        PromiseKind::Expedite,
        PromiseKind::Delivery,
        PromiseKind::Fix,
        PromiseKind::Escalation,
        PromiseKind::Cancellation,
        PromiseKind::Waiver,
        PromiseKind::Guarantee,
        PromiseKind::Modification,
        PromiseKind::Exception,
    ];

    /// The kind's name as a scenario file writes it (`Compensation`).
    pub fn name(self) -> &'static str {
        match self {
            PromiseKind::Refund => "Refund",
            PromiseKind::Replacement => "Replacement",
            PromiseKind::Callback => "Callback",
            PromiseKind::Compensation => "Compensation",
            PromiseKind::Expedite => "Expedite",
            PromiseKind::Delivery => "Delivery",
            PromiseKind::Fix => "Fix",
            PromiseKind::Escalation => "Escalation",
            PromiseKind::Cancellation => "Cancellation",
            PromiseKind::Waiver => "Waiver",
            PromiseKind::Guarantee => "Guarantee",
            PromiseKind::Modification => "Modification",
            PromiseKind::Exception => "Exception",
        }
    }
}

/// An amount of money or a share, written `"£15"`, `"$50.00"`, `"€20"`, `"15 GBP"` or `"10%"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Amount {
    /// The amount in hundredths (pence, cents; a share in hundredths of a percent).
    pub hundredths: u64,
    /// Money in a currency, money without one, or a percentage.
    pub unit: AmountUnit,
}

/// What an [`Amount`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountUnit {
    /// Money in the currency of this symbol (`£`, `$`, `€`, `¥`).
    Currency(char),
    /// Money with no currency named.
    Money,
    /// A percentage.
    Percent,
}

impl Amount {
    /// Reads an amount as a scenario writes it, or says what is wrong.
    pub fn parse(text: &str) -> Result<Amount, String> {
        let text = text.trim();
        let mut unit = AmountUnit::Money;
        let mut rest = text;
        if let Some(first) = rest.chars().next()
            && let Some(symbol) = currency_symbol(first)
        {
            unit = AmountUnit::Currency(symbol);
            rest = rest[first.len_utf8()..].trim_start();
        }
        if let Some(number) = rest.strip_suffix('%') {
            if unit != AmountUnit::Money {
                return Err(format!(
                    "`{text}` is both money and a percentage: write `\"£15\"` or `\"10%\"`"
                ));
            }
            unit = AmountUnit::Percent;
            rest = number.trim_end();
        } else if let Some((number, code)) = rest.rsplit_once(' ')
            && let Some(symbol) = currency_code(code)
            && unit == AmountUnit::Money
        {
            unit = AmountUnit::Currency(symbol);
            rest = number.trim_end();
        }
        let hundredths = parse_hundredths(rest).ok_or_else(|| {
            format!(
                "`{text}` is not an amount: write money as `\"£15\"`, `\"$50.00\"` or `\"15 GBP\"`, a share as `\"10%\"`"
            )
        })?;
        Ok(Amount { hundredths, unit })
    }

    /// Whether this amount is more than a cap: money against money (whatever the currency
    /// symbol, which replies use loosely), a share against a share. A share where the cap is
    /// money, or money where it is a share, is not what the policy covers, so it counts as more.
    pub fn exceeds(&self, cap: &Amount) -> bool {
        let share = |unit| unit == AmountUnit::Percent;
        if share(self.unit) != share(cap.unit) {
            return true;
        }
        self.hundredths > cap.hundredths
    }
}

/// The currency symbol a character is, normalised (`＄` is `$`).
pub fn currency_symbol(c: char) -> Option<char> {
    match c {
        '£' | '＄' | '$' | '€' | '¥' | '₹' => Some(if c == '＄' { '$' } else { c }),
        _ => None,
    }
}

/// The symbol of an ISO currency code (`GBP` → `£`).
pub fn currency_code(code: &str) -> Option<char> {
    match code.to_ascii_uppercase().as_str() {
        "GBP" => Some('£'),
        "USD" | "CAD" | "AUD" | "NZD" => Some('$'),
        "EUR" => Some('€'),
        "JPY" => Some('¥'),
        "INR" => Some('₹'),
        _ => None,
    }
}

/// `"1,250.50"` → 125050; `None` unless it is digits with optional thousands commas and up to
/// two decimals.
pub fn parse_hundredths(text: &str) -> Option<u64> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    if whole.is_empty()
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || !whole.bytes().all(|b| b.is_ascii_digit() || b == b',')
        || whole.starts_with(',')
    {
        return None;
    }
    let digits: String = whole.chars().filter(|c| *c != ',').collect();
    let whole: u64 = digits.parse().ok()?;
    let fraction: u64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    whole.checked_mul(100)?.checked_add(fraction)
}

impl TryFrom<String> for Amount {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Amount::parse(&text)
    }
}

impl From<Amount> for String {
    fn from(amount: Amount) -> String {
        amount.to_string()
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, cents) = (self.hundredths / 100, self.hundredths % 100);
        let number = if cents == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{cents:02}")
        };
        match self.unit {
            AmountUnit::Currency(symbol) => write!(f, "{symbol}{number}"),
            AmountUnit::Money => f.write_str(&number),
            AmountUnit::Percent => write!(f, "{number}%"),
        }
    }
}

/// When a call takes place: a weekday and a time of day, written `"Tuesday 10:30"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CallTime {
    /// 0 for Monday to 6 for Sunday.
    pub weekday: u8,
    /// Minutes since midnight, 0 to 1439.
    pub minute: u16,
}

/// The weekdays, Monday first, as a call time writes them.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The weekday a word names (`"tue"`, `"Tuesday"`, `"weds"`), 0 for Monday.
pub fn weekday_named(word: &str) -> Option<u8> {
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    let day = match word.as_str() {
        "tues" => 1,
        "weds" => 2,
        "thur" | "thurs" => 3,
        _ => WEEKDAYS.iter().position(|day| {
            day.eq_ignore_ascii_case(&word)
                || (word.len() == 3 && day.get(..3).is_some_and(|d| d.eq_ignore_ascii_case(&word)))
        })?,
    };
    Some(day as u8)
}

impl CallTime {
    /// Reads a call time as a scenario writes it (`"Tuesday 10:30"`), or says what is wrong.
    pub fn parse(text: &str) -> Result<CallTime, String> {
        let wrong = || {
            format!(
                "`{text}` is not a call time: write the weekday and the 24-hour time, as `\"Tuesday 10:30\"`"
            )
        };
        let mut words = text.split_whitespace();
        let (Some(day), Some(time), None) = (words.next(), words.next(), words.next()) else {
            return Err(wrong());
        };
        let weekday = weekday_named(day).ok_or_else(wrong)?;
        let (hour, minute) = time.split_once(':').ok_or_else(wrong)?;
        let hour: u16 = hour.parse().map_err(|_| wrong())?;
        let minute: u16 = minute.parse().map_err(|_| wrong())?;
        if hour > 23 || minute > 59 {
            return Err(format!(
                "`{text}`: the time of day runs from 00:00 to 23:59"
            ));
        }
        Ok(CallTime {
            weekday,
            minute: hour * 60 + minute,
        })
    }

    /// The hour of the day, 0 to 23.
    pub fn hour(self) -> u32 {
        u32::from(self.minute / 60)
    }
}

impl TryFrom<String> for CallTime {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        CallTime::parse(&text)
    }
}

impl From<CallTime> for String {
    fn from(time: CallTime) -> String {
        time.to_string()
    }
}

impl fmt::Display for CallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:02}:{:02}",
            WEEKDAYS[usize::from(self.weekday % 7)],
            self.minute / 60,
            self.minute % 60
        )
    }
}

/// A commitment that cannot be checked as written (RP0038), with the field to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// The kind of the commitment it is about.
    pub kind: PromiseKind,
    /// The field the diagnostic points at (`amount`, `only_if`, `words`).
    pub field: &'static str,
    pub message: String,
    pub help: &'static str,
}

/// The problems of a policy's commitments: an amount of nothing or a share over 100%, a `per`
/// or a `Customer` condition naming no number or fact of the customer, a `Flag` condition
/// naming no declared flag, a `With` condition naming a kind the policy does not allow, a
/// commitment that names itself, and trade words that are empty or given to two kinds.
pub fn problems(policy: &Policy, flags: &[String]) -> Vec<PolicyProblem> {
    let mut out = Vec::new();
    let mut push = |kind, field, message: String, help| {
        out.push(PolicyProblem {
            kind,
            field,
            message,
            help,
        })
    };
    let mut words_seen: Vec<(String, PromiseKind)> = Vec::new();
    for rule in &policy.commitments {
        let kind = rule.kind;
        if let Some(amount) = rule.amount {
            if amount.hundredths == 0 {
                push(
                    kind,
                    "amount",
                    format!(
                        "commitment `{kind:?}` allows an `amount` of {amount}: nothing can be promised"
                    ),
                    "give the most that may be promised (`\"£15\"`), or make the commitment `allowed: false`",
                );
            } else if amount.unit == AmountUnit::Percent && amount.hundredths > 100 * 100 {
                push(
                    kind,
                    "amount",
                    format!("commitment `{kind:?}` allows {amount}, more than the whole"),
                    "a share is at most `\"100%\"`",
                );
            }
        }
        if let Some(per) = &rule.per {
            let count = policy.customer.get(per).map(|v| v.trim().parse::<u32>());
            if !matches!(count, Some(Ok(n)) if n > 0) {
                push(
                    kind,
                    "per",
                    format!(
                        "commitment `{kind:?}` counts its amount per `{per}`, but `customer` gives no number of `{per}` above 0"
                    ),
                    "add the count to the policy's `customer` (`customer: {\"passengers\": \"2\"}`)",
                );
            }
            if rule.amount.is_none() {
                push(
                    kind,
                    "per",
                    format!("commitment `{kind:?}` has `per` but no `amount` to count"),
                    "add `amount: \"$50\"`, or remove `per`",
                );
            }
        }
        // Depth first, in the order written, so problems are listed as the file reads.
        let mut requirements: Vec<&Requirement> = rule.only_if.iter().rev().collect();
        while let Some(requirement) = requirements.pop() {
            match requirement {
                Requirement::AnyOf(alternatives) if alternatives.is_empty() => push(
                    kind,
                    "only_if",
                    format!(
                        "commitment `{kind:?}` is allowed only if one of no conditions holds, which none can"
                    ),
                    "name the conditions (`AnyOf([Flag(\"booking_changed\"), With(Modification)])`), or remove the `AnyOf`",
                ),
                Requirement::AnyOf(alternatives) => requirements.extend(alternatives.iter().rev()),
                Requirement::Flag(flag) if !flags.contains(flag) => push(
                    kind,
                    "only_if",
                    format!(
                        "commitment `{kind:?}` is allowed only if flag `{flag}` is set, but `flags` does not declare it"
                    ),
                    "declare the flag in the scenario's `flags`, and set it where it becomes true",
                ),
                Requirement::Customer(fact, _) if !policy.customer.contains_key(fact) => push(
                    kind,
                    "only_if",
                    format!(
                        "commitment `{kind:?}` depends on the customer's `{fact}`, which `customer` does not give"
                    ),
                    "add it to the policy's `customer` (`customer: {\"fare\": \"basic economy\"}`)",
                ),
                Requirement::With(other) if *other == kind => push(
                    kind,
                    "only_if",
                    format!("commitment `{kind:?}` is allowed only with itself"),
                    "name another kind (`With(Modification)` for \"only if the booking is changed\")",
                ),
                Requirement::With(other)
                    if !policy.commitment(*other).is_some_and(|c| c.allowed) =>
                {
                    push(
                        kind,
                        "only_if",
                        format!(
                            "commitment `{kind:?}` is allowed only with `{other:?}`, which the policy does not allow, so that condition never holds"
                        ),
                        "allow the other kind, or make this commitment `allowed: false`",
                    )
                }
                _ => {}
            }
        }
        for word in &rule.words {
            // Compared as a reply reads them: case and spacing aside.
            let key = word
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            if key.trim().is_empty() {
                push(
                    kind,
                    "words",
                    format!("commitment `{kind:?}` has an empty trade word"),
                    "remove it, or write the words a customer would hear (`\"travel certificate\"`)",
                );
            } else if let Some((_, other)) =
                words_seen.iter().find(|(w, k)| *w == key && *k != kind)
            {
                push(
                    kind,
                    "words",
                    format!("\"{word}\" is a trade word of both `{other:?}` and `{kind:?}`"),
                    "give each word to one kind",
                );
            } else {
                words_seen.push((key, kind));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_as_scenario_files_write_them() {
        for kind in PromiseKind::ALL {
            assert_eq!(kind.name(), format!("{kind:?}"));
            let written = ron::to_string(&kind).unwrap();
            assert_eq!(kind.name(), written);
        }
    }

    #[test]
    fn amounts_read_as_written() {
        assert_eq!(Amount::parse("£15").unwrap().to_string(), "£15");
        assert_eq!(Amount::parse("$50.5").unwrap().hundredths, 5050);
        assert_eq!(Amount::parse("1,250 GBP").unwrap().to_string(), "£1250");
        assert_eq!(Amount::parse("10%").unwrap().unit, AmountUnit::Percent);
        assert!(Amount::parse("£10%").is_err());
        assert!(Amount::parse("fifteen").is_err());
        let cap = Amount::parse("£15").unwrap();
        assert!(Amount::parse("£20").unwrap().exceeds(&cap));
        assert!(!Amount::parse("£15").unwrap().exceeds(&cap));
        assert!(Amount::parse("10%").unwrap().exceeds(&cap));
        assert!(!Amount::parse("$12").unwrap().exceeds(&cap));
    }

    #[test]
    fn call_times_read_as_written() {
        let time = CallTime::parse("Tuesday 10:30").unwrap();
        assert_eq!((time.weekday, time.minute), (1, 630));
        assert_eq!(time.to_string(), "Tuesday 10:30");
        assert_eq!(
            CallTime::parse("sat 9:05").unwrap().to_string(),
            "Saturday 09:05"
        );
        assert!(CallTime::parse("Tuesday").is_err());
        assert!(CallTime::parse("Tuesday 24:00").is_err());
        assert!(CallTime::parse("Someday 10:00").is_err());
        assert_eq!(weekday_named("weds"), Some(2));
        assert_eq!(weekday_named("thurs"), Some(3));
        assert_eq!(weekday_named("mon"), Some(0));
        assert_eq!(weekday_named("month"), None);
    }

    #[test]
    fn commitments_that_cannot_be_checked_are_problems() {
        let mut policy = Policy::default();
        policy
            .customer
            .insert("fare".into(), "basic economy".into());
        policy.commitments = vec![
            Commitment {
                amount: Some(Amount::parse("£0").unwrap()),
                per: Some("passengers".into()),
                only_if: vec![
                    Requirement::Flag("rebooked".into()),
                    Requirement::Customer("tier".into(), "gold".into()),
                    Requirement::With(PromiseKind::Modification),
                ],
                words: vec!["travel certificate".into()],
                ..Commitment::new(PromiseKind::Compensation, true, "")
            },
            Commitment {
                words: vec!["Travel  Certificate".into()],
                only_if: vec![Requirement::Customer("fare".into(), "flexible".into())],
                ..Commitment::new(PromiseKind::Refund, true, "")
            },
        ];
        let problems = problems(&policy, &["booking_changed".to_owned()]);
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["amount", "per", "only_if", "only_if", "only_if", "words"],
            "{problems:#?}"
        );
        assert!(
            problems[4]
                .message
                .contains("`Modification`, which the policy does not allow")
        );
        assert!(
            problems[5]
                .message
                .contains("both `Compensation` and `Refund`")
        );
        // A policy that says what it means has none.
        policy.commitments.truncate(1);
        policy.commitments[0] = Commitment {
            amount: Some(Amount::parse("$50").unwrap()),
            only_if: vec![Requirement::Customer("fare".into(), "flexible".into())],
            ..Commitment::new(PromiseKind::Compensation, true, "")
        };
        assert!(problems_of(&policy).is_empty());
    }

    #[test]
    fn conditions_inside_any_of_are_checked_like_the_rest() {
        let mut policy = Policy {
            commitments: vec![
                Commitment {
                    only_if: vec![
                        Requirement::AnyOf(vec![
                            Requirement::Flag("booking_changed".into()),
                            Requirement::Flag("rebooked".into()),
                        ]),
                        Requirement::AnyOf(Vec::new()),
                    ],
                    ..Commitment::new(PromiseKind::Compensation, true, "")
                },
                Commitment::new(PromiseKind::Modification, true, ""),
            ],
            ..Policy::default()
        };
        let problems = problems(&policy, &["booking_changed".to_owned()]);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{problems:#?}");
        assert!(messages[0].contains("flag `rebooked`"), "{messages:?}");
        assert!(messages[1].contains("one of no conditions"), "{messages:?}");
        policy.commitments[0].only_if = vec![Requirement::AnyOf(vec![
            Requirement::Flag("booking_changed".into()),
            Requirement::With(PromiseKind::Modification),
        ])];
        assert!(super::problems(&policy, &["booking_changed".to_owned()]).is_empty());
    }

    fn problems_of(policy: &Policy) -> Vec<PolicyProblem> {
        problems(policy, &[])
    }

    #[test]
    fn a_cap_per_passenger_counts_the_passengers() {
        let mut policy = Policy::default();
        policy.customer.insert("passengers".into(), "2".into());
        let commitment = Commitment {
            amount: Some(Amount::parse("$50").unwrap()),
            per: Some("passengers".into()),
            ..Commitment::new(PromiseKind::Compensation, true, "")
        };
        assert_eq!(commitment.cap(&policy).unwrap().to_string(), "$100");
    }
}
