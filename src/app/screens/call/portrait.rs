//! The customer's portrait, drawn with UI nodes: brows, eyes, cheeks and mouth follow anger.
//!
//! The brows, eyes and colour move smoothly with the animated anger meter; the mouth changes
//! shape at the four moods (calm, annoyed, angry, furious) the mood cues also mark.

use bevy::prelude::*;

use super::customer::ShownMeters;
use crate::app::AppSystems;

/// The portrait's side, in logical pixels (the face is laid out on this square).
pub(super) const PORTRAIT_SIZE: f32 = 240.0;

/// Brow angle (degrees, inner end down) at anger 0 and at anger 100.
const BROW_DEGREES: (f32, f32) = (-10.0, 24.0);
/// Eye opening (pixels) at anger 0 and at anger 100.
const EYE_HEIGHT: (f32, f32) = (17.0, 9.0);
/// How far the face reddens at full anger (0–1).
const FLUSH_AT_FURY: f32 = 0.35;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        show_expression
            .in_set(AppSystems::Present)
            .run_if(resource_exists::<ShownMeters>),
    );
}

/// How the customer feels, by anger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(in crate::app) enum Mood {
    Calm,
    Annoyed,
    Angry,
    Furious,
}

impl Mood {
    /// The lowest anger of each mood above calm.
    const THRESHOLDS: [(i32, Mood); 3] =
        [(30, Mood::Annoyed), (55, Mood::Angry), (80, Mood::Furious)];

    /// The mood at an anger level (0–100).
    pub fn from_anger(anger: f32) -> Mood {
        Self::THRESHOLDS
            .iter()
            .rev()
            .find(|(at, _)| anger >= *at as f32)
            .map_or(Mood::Calm, |(_, mood)| *mood)
    }

    /// A word for the mood.
    pub fn label(self) -> &'static str {
        match self {
            Mood::Calm => "calm",
            Mood::Annoyed => "annoyed",
            Mood::Angry => "angry",
            Mood::Furious => "furious",
        }
    }

    /// The soft backdrop behind the portrait.
    fn backdrop(self) -> Color {
        match self {
            Mood::Calm => Color::srgb(0.62, 0.80, 0.74),
            Mood::Annoyed => Color::srgb(0.93, 0.82, 0.58),
            Mood::Angry => Color::srgb(0.95, 0.68, 0.52),
            Mood::Furious => Color::srgb(0.90, 0.50, 0.48),
        }
    }
}

/// Skin, hair and clothes, picked from the customer's name so each customer looks the same each time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Looks {
    skin: Color,
    hair: Color,
    shirt: Color,
}

impl Looks {
    /// A stable choice of looks for a name.
    pub fn for_name(name: &str) -> Looks {
        const SKINS: [Color; 5] = [
            Color::srgb(0.96, 0.80, 0.68),
            Color::srgb(0.87, 0.66, 0.50),
            Color::srgb(0.72, 0.52, 0.38),
            Color::srgb(0.55, 0.38, 0.27),
            Color::srgb(0.98, 0.86, 0.76),
        ];
        const HAIRS: [Color; 5] = [
            Color::srgb(0.18, 0.13, 0.11),
            Color::srgb(0.40, 0.26, 0.16),
            Color::srgb(0.72, 0.55, 0.30),
            Color::srgb(0.55, 0.55, 0.58),
            Color::srgb(0.10, 0.09, 0.10),
        ];
        const SHIRTS: [Color; 5] = [
            Color::srgb(0.28, 0.42, 0.66),
            Color::srgb(0.52, 0.30, 0.46),
            Color::srgb(0.24, 0.52, 0.46),
            Color::srgb(0.70, 0.42, 0.26),
            Color::srgb(0.36, 0.36, 0.44),
        ];
        let hash = name.bytes().fold(2166136261u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(16777619)
        });
        let pick = |shift: u32| (hash >> shift) as usize % 5;
        Looks {
            skin: SKINS[pick(0)],
            hair: HAIRS[pick(8)],
            shirt: SHIRTS[pick(16)],
        }
    }
}

/// The portrait's frame (its colour follows the mood).
#[derive(Component, Debug)]
pub(super) struct Portrait {
    looks: Looks,
}

/// A part of the face that changes with anger.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
enum FacePart {
    Head,
    Brow { left: bool },
    Eye,
    Cheek,
    Mouth,
    Teeth,
}

/// A node placed at `(left, top)` with a size, inside the portrait square.
fn placed(left: f32, top: f32, width: f32, height: f32, radius: BorderRadius) -> Node {
    Node {
        position_type: PositionType::Absolute,
        left: px(left),
        top: px(top),
        width: px(width),
        height: px(height),
        border_radius: radius,
        ..default()
    }
}

/// The portrait of a customer.
pub(super) fn portrait(name: &str) -> impl Bundle {
    let looks = Looks::for_name(name);
    let skin_shade = looks.skin.darker(0.06);
    let eye = |left: f32| {
        (
            FacePart::Eye,
            BackgroundColor(Color::WHITE),
            Node {
                justify_content: JustifyContent::Center,
                align_items: AlignItems::Center,
                overflow: Overflow::clip(),
                ..placed(left, 100.0, 26.0, EYE_HEIGHT.0, BorderRadius::MAX)
            },
            children![(
                Node {
                    width: px(11),
                    height: px(11),
                    border_radius: BorderRadius::MAX,
                    ..default()
                },
                BackgroundColor(Color::srgb(0.17, 0.14, 0.13)),
            )],
        )
    };
    (
        Name::new("Portrait"),
        Portrait { looks },
        Node {
            width: px(PORTRAIT_SIZE),
            height: px(PORTRAIT_SIZE),
            border_radius: BorderRadius::all(px(18)),
            overflow: Overflow::clip(),
            ..default()
        },
        BackgroundColor(Mood::Calm.backdrop()),
        children![
            (
                placed(28.0, 196.0, 184.0, 100.0, BorderRadius::all(px(60))),
                BackgroundColor(looks.shirt)
            ),
            (
                placed(102.0, 160.0, 36.0, 44.0, BorderRadius::all(px(12))),
                BackgroundColor(skin_shade)
            ),
            (
                placed(50.0, 26.0, 140.0, 150.0, BorderRadius::all(px(70))),
                BackgroundColor(looks.hair)
            ),
            (
                placed(52.0, 98.0, 18.0, 28.0, BorderRadius::MAX),
                BackgroundColor(skin_shade)
            ),
            (
                placed(170.0, 98.0, 18.0, 28.0, BorderRadius::MAX),
                BackgroundColor(skin_shade)
            ),
            (
                FacePart::Head,
                placed(60.0, 40.0, 120.0, 142.0, BorderRadius::all(px(60))),
                BackgroundColor(looks.skin)
            ),
            (
                placed(
                    56.0,
                    30.0,
                    128.0,
                    44.0,
                    BorderRadius {
                        top_left: px(64),
                        top_right: px(64),
                        bottom_right: px(14),
                        bottom_left: px(40),
                    }
                ),
                BackgroundColor(looks.hair),
            ),
            (
                FacePart::Brow { left: true },
                placed(76.0, 86.0, 34.0, 6.0, BorderRadius::MAX),
                BackgroundColor(looks.hair.darker(0.05)),
                UiTransform::default()
            ),
            (
                FacePart::Brow { left: false },
                placed(130.0, 86.0, 34.0, 6.0, BorderRadius::MAX),
                BackgroundColor(looks.hair.darker(0.05)),
                UiTransform::default()
            ),
            eye(80.0),
            eye(134.0),
            (
                placed(114.0, 112.0, 12.0, 24.0, BorderRadius::all(px(6))),
                BackgroundColor(skin_shade)
            ),
            (
                FacePart::Cheek,
                placed(72.0, 130.0, 22.0, 12.0, BorderRadius::MAX),
                BackgroundColor(Color::NONE)
            ),
            (
                FacePart::Cheek,
                placed(146.0, 130.0, 22.0, 12.0, BorderRadius::MAX),
                BackgroundColor(Color::NONE)
            ),
            (
                Node {
                    justify_content: JustifyContent::Center,
                    align_items: AlignItems::Center,
                    ..placed(84.0, 140.0, 72.0, 30.0, BorderRadius::ZERO)
                },
                children![(
                    FacePart::Mouth,
                    Node::default(),
                    BorderColor::all(Color::srgb(0.45, 0.18, 0.18)),
                    BackgroundColor(Color::NONE),
                    UiTransform::default(),
                    children![(
                        FacePart::Teeth,
                        Node {
                            width: percent(70),
                            height: px(5),
                            margin: UiRect::horizontal(auto()),
                            border_radius: BorderRadius::bottom(px(2)),
                            ..default()
                        },
                        BackgroundColor(Color::NONE),
                    )],
                )],
            ),
        ],
    )
}

/// The mouth's node, border and fill for a mood.
fn mouth_shape(mood: Mood) -> (Node, Color, Color) {
    let lips = Color::srgb(0.45, 0.18, 0.18);
    match mood {
        // A smile: the lower half of a ring.
        Mood::Calm => (
            Node {
                width: px(48),
                height: px(18),
                border: UiRect::bottom(px(4)),
                border_radius: BorderRadius::bottom(px(24)),
                ..default()
            },
            lips,
            Color::NONE,
        ),
        // A flat, pressed line.
        Mood::Annoyed => (
            Node {
                width: px(40),
                height: px(4),
                border_radius: BorderRadius::MAX,
                ..default()
            },
            lips,
            lips,
        ),
        // A frown: the upper half of a ring.
        Mood::Angry => (
            Node {
                width: px(46),
                height: px(16),
                margin: UiRect::top(px(10)),
                border: UiRect::top(px(4)),
                border_radius: BorderRadius::top(px(23)),
                ..default()
            },
            lips,
            Color::NONE,
        ),
        // Shouting: an open mouth, wider at the top.
        Mood::Furious => (
            Node {
                width: px(44),
                height: px(26),
                border_radius: BorderRadius {
                    top_left: px(12),
                    top_right: px(12),
                    bottom_right: px(22),
                    bottom_left: px(22),
                },
                overflow: Overflow::clip(),
                ..default()
            },
            lips,
            Color::srgb(0.36, 0.10, 0.12),
        ),
    }
}

fn lerp(range: (f32, f32), t: f32) -> f32 {
    range.0 + (range.1 - range.0) * t.clamp(0.0, 1.0)
}

/// What [`show_expression`] changes on each part of a face.
type FacePartLook = (
    &'static FacePart,
    &'static mut Node,
    &'static mut BackgroundColor,
    Option<&'static mut UiTransform>,
    Option<&'static mut BorderColor>,
);

/// Moves the face to match the shown anger.
fn show_expression(
    meters: Res<ShownMeters>,
    mut portraits: Query<(&Portrait, &mut BackgroundColor), Without<FacePart>>,
    mut parts: Query<FacePartLook, Without<Portrait>>,
) {
    if !meters.is_changed() {
        return;
    }
    let anger = meters.anger;
    let t = anger / 100.0;
    let mood = Mood::from_anger(anger);
    let mut looks = None;
    for (portrait, mut backdrop) in &mut portraits {
        backdrop.0 = mood.backdrop();
        looks = Some(portrait.looks);
    }
    let Some(looks) = looks else {
        return;
    };
    let flush = ((anger - 50.0) / 50.0).clamp(0.0, 1.0) * FLUSH_AT_FURY;
    for (part, mut node, mut fill, transform, border) in &mut parts {
        match part {
            FacePart::Head => fill.0 = looks.skin.mix(&Color::srgb(0.95, 0.42, 0.38), flush),
            FacePart::Brow { left } => {
                let degrees = lerp(BROW_DEGREES, t);
                if let Some(mut transform) = transform {
                    transform.rotation = Rot2::degrees(if *left { degrees } else { -degrees });
                    transform.translation = Val2::px(0.0, lerp((-3.0, 4.0), t));
                }
            }
            FacePart::Eye => {
                let height = lerp(EYE_HEIGHT, t);
                node.height = px(height);
                node.top = px(100.0 + (EYE_HEIGHT.0 - height) / 2.0);
            }
            FacePart::Cheek => {
                let blush = ((anger - 30.0) / 70.0).clamp(0.0, 1.0) * 0.55;
                fill.0 = Color::srgba(0.95, 0.40, 0.40, blush);
            }
            FacePart::Mouth => {
                let (shape, lips, inside) = mouth_shape(mood);
                *node = shape;
                fill.0 = inside;
                if let Some(mut border) = border {
                    *border = BorderColor::all(lips);
                }
                if let Some(mut transform) = transform {
                    transform.rotation =
                        Rot2::degrees(if mood == Mood::Annoyed { -4.0 } else { 0.0 });
                }
            }
            FacePart::Teeth => {
                fill.0 = if mood == Mood::Furious {
                    Color::srgb(0.97, 0.96, 0.92)
                } else {
                    Color::NONE
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moods_follow_anger_thresholds() {
        let moods: Vec<Mood> = [0.0, 29.9, 30.0, 54.0, 55.0, 79.0, 80.0, 100.0]
            .into_iter()
            .map(Mood::from_anger)
            .collect();
        assert_eq!(
            moods,
            [
                Mood::Calm,
                Mood::Calm,
                Mood::Annoyed,
                Mood::Annoyed,
                Mood::Angry,
                Mood::Angry,
                Mood::Furious,
                Mood::Furious
            ]
        );
    }

    #[test]
    fn the_same_customer_always_looks_the_same() {
        assert_eq!(
            Looks::for_name("Priya Sharma"),
            Looks::for_name("Priya Sharma")
        );
    }
}
