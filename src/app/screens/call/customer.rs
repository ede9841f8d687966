//! The customer column: portrait, name, mood and the anger, patience and trust meters, eased
//! towards the engine's values.

use bevy::prelude::*;
use bevy::window::RequestRedraw;

use super::portrait::{Mood, portrait};
use crate::app::layout_check::METER;
use crate::app::render::damage::LiveRegion;
use crate::app::session::LiveCall;
use crate::app::theme::{label, meter_bar, palette, panel, strong};
use crate::scenario::{Meter, Meters, Scenario};

/// How fast the shown meters close the gap to the real ones (share of the gap per second).
const METER_EASING_PER_SEC: f32 = 5.0;
/// Below this gap a meter counts as settled and stops asking for frames.
const METER_SETTLED: f32 = 0.05;
/// The largest change drawn without easing (one point of patience drained while waiting).
const METER_DRIFT: f32 = 1.0;

/// The meters as drawn: they ease towards the engine's values.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub(super) struct ShownMeters {
    pub anger: f32,
    pub patience: f32,
    pub trust: f32,
}

impl ShownMeters {
    pub(super) fn from_meters(meters: Meters) -> ShownMeters {
        ShownMeters {
            anger: meters.anger as f32,
            patience: meters.patience as f32,
            trust: meters.trust as f32,
        }
    }

    fn get(&self, meter: Meter) -> f32 {
        match meter {
            Meter::Anger => self.anger,
            Meter::Patience => self.patience,
            Meter::Trust => self.trust,
        }
    }

    fn get_mut(&mut self, meter: Meter) -> &mut f32 {
        match meter {
            Meter::Anger => &mut self.anger,
            Meter::Patience => &mut self.patience,
            Meter::Trust => &mut self.trust,
        }
    }
}

#[derive(Component)]
pub(super) struct MeterFill(Meter);
#[derive(Component)]
pub(super) struct MeterValue;
#[derive(Component)]
pub(super) struct MoodText;

/// The left column: portrait, name, mood and meters.
pub(super) fn customer_column(scenario: &Scenario) -> impl Bundle {
    let persona = &scenario.persona;
    (
        panel(
            Node {
                width: px(272),
                flex_shrink: 0.0,
                align_items: AlignItems::Center,
                row_gap: px(10),
                ..default()
            },
            palette::SURFACE,
        ),
        children![
            (
                // The face and mood follow anger, which can move while the customer waits.
                live_group(),
                children![
                    portrait(&persona.name),
                    strong(persona.name.clone(), 1.15, palette::INK),
                    (MoodText, label("calm", 0.85, palette::INK_SOFT)),
                ],
            ),
            (
                // Patience drains while the customer waits: redrawn alone on a quiet frame.
                live_group(),
                children![
                    (
                        METER,
                        meter_bar("Anger", palette::ANGER, MeterFill(Meter::Anger))
                    ),
                    (
                        METER,
                        meter_bar("Patience", palette::PATIENCE, MeterFill(Meter::Patience))
                    ),
                    (
                        METER,
                        meter_bar("Trust", palette::TRUST, MeterFill(Meter::Trust))
                    ),
                    (MeterValue, label("", 0.75, palette::INK_SOFT)),
                ],
            ),
        ],
    )
}

/// A group of the customer column that is redrawn alone when only it changed, laid out as the
/// column lays out its own children.
fn live_group() -> impl Bundle {
    (
        LiveRegion,
        Node {
            width: percent(100),
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::Center,
            row_gap: px(10),
            ..default()
        },
    )
}

/// Eases the shown meters towards the engine's, and draws them.
pub(super) fn animate_meters(
    call: Option<Res<LiveCall>>,
    time: Res<Time<Real>>,
    mut shown: ResMut<ShownMeters>,
    mut fills: Query<(&MeterFill, &mut Node)>,
    mut mood_text: Query<&mut Text, (With<MoodText>, Without<MeterValue>)>,
    mut values: Query<&mut Text, (With<MeterValue>, Without<MoodText>)>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let Some(session) = call.as_ref().and_then(|c| c.session()) else {
        return;
    };
    let now_ms = call.as_ref().map_or(0, |c| c.now_ms(&time));
    let mut target = session.meters();
    target.patience = session.patience_at(now_ms);
    let step = (METER_EASING_PER_SEC * time.delta_secs()).clamp(0.0, 1.0);
    let mut next = *shown;
    let mut moving = false;
    for meter in Meter::ALL {
        let goal = target.get(meter) as f32;
        let value = next.get_mut(meter);
        let gap = goal - *value;
        // A one-point drift (patience draining as the customer waits) is drawn at once: easing
        // it would redraw for half a second every few seconds while the trainee thinks.
        if gap.abs() > METER_SETTLED && gap.abs() > METER_DRIFT {
            *value += gap * step.max(0.02);
            moving = true;
        } else {
            *value = goal;
        }
    }
    if next != *shown {
        *shown = next;
    }
    if moving {
        redraw.write(RequestRedraw);
    }
    if !shown.is_changed() {
        return;
    }
    for (fill, mut node) in &mut fills {
        node.width = percent(shown.get(fill.0).clamp(0.0, 100.0));
    }
    let mood = Mood::from_anger(shown.anger);
    for mut text in &mut mood_text {
        text.0 = format!("feels {}", mood.label());
    }
    for mut text in &mut values {
        text.0 = format!(
            "anger {:.0} · patience {:.0} · trust {:.0}",
            shown.anger, shown.patience, shown.trust
        );
    }
}
