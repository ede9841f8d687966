//! The call's clock: a time phrase of a reply ("by Saturday", "this afternoon", "first thing
//! tomorrow") as the minutes from the call to the moment it names, and those minutes counted
//! in working days when the policy counts so.

use crate::scenario::{CallTime, weekday_named};

/// Minutes in a day.
const DAY: u32 = 24 * 60;

/// The end of the working day, when "today" or "by Friday" falls due (17:00).
const CLOSE: u32 = 17 * 60;

/// The start of the working day, when "first thing tomorrow" falls due (09:00).
const OPEN: u32 = 9 * 60;

/// The moment a time phrase names, as minutes from the call; `None` when the phrase names no
/// moment this clock can place ("within 3 days" counts from now and needs no clock; "the 14th"
/// needs a calendar).
pub(crate) fn minutes_until(phrase: &str, call: CallTime) -> Option<u32> {
    let now = u32::from(call.minute);
    let words: Vec<&str> = phrase
        .split(|c: char| !c.is_ascii_alphanumeric() && c != ':' && c != '.')
        .filter(|w| !w.is_empty())
        .collect();
    let has = |word: &str| words.contains(&word);
    if has("month") || (has("week") && !has("end")) {
        // A week or a month counts from now ("within the next week"), or needs a calendar.
        return None;
    }
    // The day the phrase names, counted from the call's day, and the time on that day.
    let day_after = has("after") && has("tomorrow");
    let (days, default_time) = if day_after {
        (2, CLOSE)
    } else if has("tomorrow") || has("overnight") {
        (1, CLOSE)
    } else if has("weekend") {
        (days_to(call.weekday, 5), CLOSE)
    } else if has("end") && has("week") {
        (
            days_to(call.weekday, 4) + if has("next") { 7 } else { 0 },
            CLOSE,
        )
    } else if let Some(day) = words.iter().find_map(|w| weekday_named(w)) {
        (days_to(call.weekday, day), CLOSE)
    } else if has("today")
        || has("tonight")
        || has("this")
        || has("end")
        || has("eod")
        || has("cob")
        || has("close")
        || has("by")
        || has("before")
        || has("at")
        || has("around")
    {
        (0, CLOSE)
    } else {
        return None;
    };
    let time = if has("first") && has("thing") {
        OPEN
    } else if has("morning") {
        12 * 60
    } else if has("afternoon") {
        CLOSE
    } else if has("evening") || has("tonight") || has("night") {
        21 * 60
    } else if has("noon") || has("midday") || has("lunchtime") || has("lunch") {
        13 * 60
    } else if let Some(clock) = clock_time(&words) {
        clock
    } else if days == 0
        && !has("today")
        && !has("end")
        && !has("eod")
        && !has("cob")
        && !has("close")
    {
        // "by" or "at" with no time this clock can read.
        return None;
    } else {
        default_time
    };
    let mut target = days * DAY + time;
    if target <= now {
        // A time already gone today ("by 9am" at 10:30) means the rest of today, then tomorrow's.
        target = if days == 0 && time == CLOSE {
            now + 60
        } else {
            target + DAY
        };
    }
    Some(target - now)
}

/// Days from one weekday to the next occurrence of another (0 for Monday); the same weekday
/// is a week on, since "by Tuesday" said on a Tuesday means next week's.
fn days_to(from: u8, to: u8) -> u32 {
    let days = (u32::from(to) + 7 - u32::from(from)) % 7;
    if days == 0 { 7 } else { days }
}

/// A clock time among the words ("5pm", "5", "17:30", "3 pm", "9 o'clock"), in minutes.
fn clock_time(words: &[&str]) -> Option<u32> {
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        let (number, suffix) = split_suffix(word);
        let suffix = if suffix.is_empty() { next } else { suffix };
        let (hour, minute) = match number.split_once([':', '.']) {
            Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
            None => match number.parse::<u32>() {
                Ok(h) => (h, 0),
                Err(_) => continue,
            },
        };
        if hour > 23 || minute > 59 {
            return None;
        }
        let hour = match suffix {
            "pm" if hour < 12 => hour + 12,
            "am" if hour == 12 => 0,
            "am" | "pm" => hour,
            // A bare hour in working hours: "by 5" is five in the afternoon.
            _ if hour < 8 => hour + 12,
            _ => hour,
        };
        return Some(hour * 60 + minute);
    }
    None
}

/// `"5pm"` → (`"5"`, `"pm"`).
fn split_suffix(word: &str) -> (&str, &str) {
    for suffix in ["am", "pm"] {
        if let Some(number) = word.strip_suffix(suffix) {
            return (number, suffix);
        }
    }
    (word, "")
}

/// The hours of `minutes` from the call, counted on working days only (Monday to Friday,
/// all 24 hours of each): from Friday 16:00, Monday 17:00 is 8 + 17 = 25 working hours.
pub(crate) fn working_hours(call: CallTime, minutes: u32) -> u32 {
    let mut counted = 0;
    let mut day = u32::from(call.weekday);
    let mut at = u32::from(call.minute);
    let mut left = minutes;
    while left > 0 {
        let today = (DAY - at).min(left);
        if day % 7 < 5 {
            counted += today;
        }
        left -= today;
        at = 0;
        day += 1;
    }
    counted.div_ceil(60)
}

/// The calendar hours of `minutes`, rounded up.
pub(crate) fn hours(minutes: u32) -> u32 {
    minutes.div_ceil(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> CallTime {
        CallTime::parse(text).unwrap()
    }

    #[test]
    fn phrases_become_minutes_from_the_call() {
        let tuesday = at("Tuesday 10:30");
        assert_eq!(minutes_until("today", tuesday), Some(390));
        assert_eq!(minutes_until("this afternoon", tuesday), Some(390));
        assert_eq!(minutes_until("by tomorrow", tuesday), Some(DAY + 390));
        assert_eq!(
            minutes_until("first thing tomorrow", tuesday),
            Some(DAY - 90)
        );
        assert_eq!(minutes_until("by saturday", tuesday), Some(4 * DAY + 390));
        assert_eq!(minutes_until("by 5pm", tuesday), Some(390));
        assert_eq!(minutes_until("by 3", tuesday), Some(270));
        assert_eq!(minutes_until("on tuesday", tuesday), Some(7 * DAY + 390));
        assert_eq!(
            minutes_until("by the end of the week", tuesday),
            Some(3 * DAY + 390)
        );
        assert_eq!(minutes_until("within 3 days", tuesday), None);
    }

    #[test]
    fn working_days_skip_the_weekend() {
        let friday = at("Friday 16:00");
        let monday_close = minutes_until("by monday", friday).unwrap();
        assert_eq!(working_hours(friday, monday_close), 8 + 17);
        let tuesday = at("Tuesday 10:30");
        let saturday = minutes_until("by saturday", tuesday).unwrap();
        assert_eq!(working_hours(tuesday, saturday), 14 + 72);
        assert_eq!(hours(saturday), 103);
    }
}
