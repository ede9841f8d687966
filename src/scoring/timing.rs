//! The timeliness raters: the first reply, the replies after it, holds, status updates on long
//! holds and the handle time, each measured from the clock against the service levels.

use smol_str::{SmolStr, format_smolstr};

use super::evidence::{Evidence, Observations};
use super::scorecard::{Rated, measured_evidence};
use crate::analysis::Polarity;
use crate::scenario::{Dimension, Outcome, Scenario, ServiceLevels};

fn timing_evidence(
    turn: usize,
    at_ms: u64,
    criterion: &'static str,
    polarity: Polarity,
    rule: &'static str,
    note: SmolStr,
) -> Evidence {
    measured_evidence(
        (turn, at_ms),
        Dimension::Timeliness,
        SmolStr::new_static(criterion),
        polarity,
        SmolStr::new_static(rule),
        note,
    )
}

/// Milliseconds as seconds to one decimal, rounded half up (`1250` → `1.3`): whole
/// milliseconds are rounded as a person reads them, not as the nearest binary float falls.
fn tenths_of_seconds(ms: u64) -> String {
    let tenths = ms.saturating_add(50) / 100;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Milliseconds as whole seconds, rounded half up (`1500` → `2`).
fn whole_seconds(ms: u64) -> u64 {
    ms.saturating_add(500) / 1000
}

/// A duration's rating (see [`rating_by_ratio`]), and whether it was within its target.
fn rate_duration(ms: u64, target_secs: u32, min: i32, max: i32) -> (i32, Polarity) {
    let target = f64::from(target_secs);
    let secs = ms as f64 / 1000.0;
    let polarity = if secs <= target {
        Polarity::Good
    } else {
        Polarity::Bad
    };
    (rating_by_ratio(secs / target, min, max), polarity)
}

/// A 5-point (or other) rating from how many times over target a duration ran.
fn rating_by_ratio(ratio: f64, min: i32, max: i32) -> i32 {
    // Steps: on target, within 1.5×, 2×, 3×, beyond.
    const STEPS: [f64; 4] = [1.0, 1.5, 2.0, 3.0];
    let missed = STEPS.iter().filter(|&&step| ratio > step).count() as i32;
    let span = max - min;
    (max - (missed * span + 3) / 4).clamp(min, max)
}

pub(super) fn rate_first_response(
    obs: &Observations,
    levels: &ServiceLevels,
    min: i32,
    max: i32,
) -> Rated {
    let Some(first) = obs.latencies.iter().find(|l| l.first) else {
        return Rated::unrated(SmolStr::new_static("the customer never waited for a reply"));
    };
    let (rating, polarity) = rate_duration(first.waited_ms, levels.first_response_secs, min, max);
    let note = format_smolstr!(
        "first reply after {} s (target {} s)",
        tenths_of_seconds(first.waited_ms),
        levels.first_response_secs
    );
    Rated::at(
        rating,
        note.clone(),
        vec![timing_evidence(
            first.turn,
            first.from_ms + first.waited_ms,
            "timeliness.first-response",
            polarity,
            "first-response",
            note,
        )],
    )
}

pub(super) fn rate_reply_latency(
    obs: &Observations,
    levels: &ServiceLevels,
    min: i32,
    max: i32,
) -> Rated {
    let later: Vec<_> = obs.latencies.iter().filter(|l| !l.first).collect();
    if later.is_empty() {
        return Rated::unrated(SmolStr::new_static("no replies after the first"));
    }
    let target_ms = u64::from(levels.between_replies_secs) * 1000;
    let mut evidence = Vec::new();
    let mut on_time = 0;
    for latency in &later {
        if latency.answered && latency.waited_ms <= target_ms && latency.silences == 0 {
            on_time += 1;
        } else if !latency.answered && latency.waited_ms <= target_ms {
            // The call ended while the customer had only just spoken: nothing was late.
            on_time += 1;
        } else {
            let mut note = format!(
                "replied after {} s (target {} s)",
                tenths_of_seconds(latency.waited_ms),
                levels.between_replies_secs
            );
            if latency.silences > 0 {
                note += &format!(
                    ", the customer spoke into the silence {} time(s)",
                    latency.silences
                );
            }
            evidence.push(timing_evidence(
                latency.turn,
                latency.from_ms + latency.waited_ms,
                "timeliness.reply-latency",
                Polarity::Bad,
                "slow-reply",
                SmolStr::from(note),
            ));
        }
    }
    let share = f64::from(on_time) / later.len() as f64;
    let rating = min + (share * f64::from(max - min)).round() as i32;
    Rated::at(
        rating,
        format_smolstr!(
            "{on_time} of {} replies within {} s",
            later.len(),
            levels.between_replies_secs
        ),
        evidence,
    )
}

pub(super) fn rate_holds(obs: &Observations, levels: &ServiceLevels, min: i32, max: i32) -> Rated {
    if obs.holds.is_empty() {
        return Rated::unrated(SmolStr::new_static("no hold"));
    }
    let mut worst = max;
    let mut evidence = Vec::new();
    for hold in &obs.holds {
        let allowed = hold.announced_secs.min(levels.max_hold_secs);
        let rating = if hold.held_secs <= allowed {
            max
        } else if f64::from(hold.held_secs) <= f64::from(allowed) * 1.5 {
            (min + max) / 2
        } else {
            min
        };
        worst = worst.min(rating);
        let polarity = if rating == max {
            Polarity::Good
        } else {
            Polarity::Bad
        };
        evidence.push(timing_evidence(
            hold.turn,
            0,
            "timeliness.hold",
            polarity,
            "hold",
            format_smolstr!(
                "held {} s after announcing {} s (maximum {} s)",
                hold.held_secs,
                hold.announced_secs,
                levels.max_hold_secs
            ),
        ));
    }
    Rated::at(
        worst,
        format_smolstr!("{} hold(s)", obs.holds.len()),
        evidence,
    )
}

pub(super) fn rate_status_updates(
    obs: &Observations,
    levels: &ServiceLevels,
    min: i32,
    max: i32,
) -> Rated {
    let long_holds: Vec<_> = obs
        .holds
        .iter()
        .filter(|h| h.held_secs > levels.status_update_secs)
        .collect();
    if obs.holds.is_empty() {
        return Rated::unrated(SmolStr::new_static("no long wait"));
    }
    let evidence = long_holds
        .iter()
        .map(|h| {
            timing_evidence(
                h.turn,
                0,
                "timeliness.status-updates",
                Polarity::Bad,
                "no-status-update",
                format_smolstr!(
                    "left the customer on hold {} s without an update (every {} s expected)",
                    h.held_secs,
                    levels.status_update_secs
                ),
            )
        })
        .collect::<Vec<_>>();
    let rating = if long_holds.is_empty() { max } else { min };
    Rated::at(
        rating,
        format_smolstr!(
            "{} hold(s) longer than {} s without an update",
            long_holds.len(),
            levels.status_update_secs
        ),
        evidence,
    )
}

pub(super) fn rate_handle_time(
    obs: &Observations,
    scenario: &Scenario,
    outcome: Outcome,
    min: i32,
    max: i32,
) -> Rated {
    if !obs.ended {
        return Rated::unrated(SmolStr::new_static("the call never ended"));
    }
    // A short call is only quick service when the problem was dealt with.
    if matches!(
        outcome,
        Outcome::AgentEnded | Outcome::HungUp | Outcome::TimedOut
    ) {
        return Rated::unrated(format_smolstr!(
            "the call ended `{}`: nothing was handled",
            outcome.label()
        ));
    }
    if !obs.spoke {
        return Rated::unrated(SmolStr::new_static(
            "the trainee never spoke: nothing was handled",
        ));
    }
    let target_secs = scenario.target_handle_secs.max(1);
    let (rating, polarity) = rate_duration(obs.handle_ms, target_secs, min, max);
    let note = format_smolstr!(
        "handled in {} s (target {target_secs} s)",
        whole_seconds(obs.handle_ms)
    );
    let turn = obs.meters.last().map_or(0, |m| m.turn);
    Rated::at(
        rating,
        note.clone(),
        vec![timing_evidence(
            turn,
            obs.handle_ms,
            "timeliness.handle-time",
            polarity,
            "handle-time",
            note,
        )],
    )
}

#[cfg(test)]
mod tests {
    use super::{tenths_of_seconds, whole_seconds};

    #[test]
    fn the_timing_notes_read_as_sentences() {
        use super::{rate_first_response, rate_holds, rate_reply_latency, rate_status_updates};
        use crate::scenario::ServiceLevels;
        use crate::scoring::evidence::{HoldRecord, Latency, Observations};
        let levels = ServiceLevels {
            first_response_secs: 30,
            between_replies_secs: 60,
            max_hold_secs: 120,
            status_update_secs: 45,
        };
        let latency = |first, waited_ms, silences| Latency {
            turn: 1,
            from_ms: 0,
            waited_ms,
            first,
            silences,
            answered: true,
        };
        let obs = Observations {
            latencies: vec![latency(true, 12_340, 0), latency(false, 75_050, 2)],
            holds: vec![HoldRecord {
                turn: 2,
                held_secs: 200,
                announced_secs: 90,
            }],
            ..Observations::default()
        };
        let first = rate_first_response(&obs, &levels, 1, 5);
        assert_eq!(first.reason, "first reply after 12.3 s (target 30 s)");
        let replies = rate_reply_latency(&obs, &levels, 1, 5);
        assert_eq!(replies.reason, "0 of 1 replies within 60 s");
        assert_eq!(
            replies.evidence[0].finding.note,
            "replied after 75.1 s (target 60 s), the customer spoke into the silence 2 time(s)"
        );
        let holds = rate_holds(&obs, &levels, 1, 5);
        assert_eq!(holds.reason, "1 hold(s)");
        assert_eq!(
            holds.evidence[0].finding.note,
            "held 200 s after announcing 90 s (maximum 120 s)"
        );
        let updates = rate_status_updates(&obs, &levels, 1, 5);
        assert_eq!(
            updates.reason,
            "1 hold(s) longer than 45 s without an update"
        );
        assert_eq!(
            updates.evidence[0].finding.note,
            "left the customer on hold 200 s without an update (every 45 s expected)"
        );
    }

    #[test]
    fn durations_are_shown_rounded_half_up_from_whole_milliseconds() {
        let tenths = tenths_of_seconds;
        assert_eq!(tenths(0), "0.0");
        assert_eq!(tenths(1_249), "1.2");
        assert_eq!(tenths(1_250), "1.3");
        assert_eq!(tenths(1_350), "1.4");
        assert_eq!(tenths(59_960), "60.0");
        assert_eq!(tenths(u64::MAX), (u64::MAX / 100 / 10).to_string() + ".6");
        let whole = |ms| whole_seconds(ms).to_string();
        assert_eq!(whole(499), "0");
        assert_eq!(whole(500), "1");
        assert_eq!(whole(183_400), "183");
    }
}
