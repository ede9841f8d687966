//! Layout checks for scripted runs: the key elements of a screen (the library rows, the reply
//! box, the debrief's scores…) exist, have a size, and lie inside the window, read from the UI
//! tree rather than guessed from a screenshot's brightness.

use bevy::prelude::*;

use super::Screen;

/// Marks an element a trainee must be able to see on its screen, by a name the checks use.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct KeyElement(pub &'static str);

/// The library rows on the title screen.
pub(super) const LIBRARY_ROW: KeyElement = KeyElement("library row");
/// The selected scenario's brief on the title screen.
pub(super) const SCENARIO_DETAILS: KeyElement = KeyElement("scenario details");
/// The trainee's name field on the title screen.
pub(super) const NAME_FIELD: KeyElement = KeyElement("name field");
/// The button that starts the selected call.
pub(super) const START_BUTTON: KeyElement = KeyElement("start button");
/// The customer's meters during a call.
pub(super) const METER: KeyElement = KeyElement("meter");
/// The call clock.
pub(super) const CLOCK: KeyElement = KeyElement("clock");
/// The free-text reply box.
pub(super) const REPLY_BOX: KeyElement = KeyElement("reply box");
/// A numbered option the trainee can choose (only while options are offered).
pub(super) const OPTION_BUTTON: KeyElement = KeyElement("option");
/// A dimension's score on the debrief.
pub(super) const DIMENSION_SCORE: KeyElement = KeyElement("dimension score");

/// Every key element, for scripts that name them.
const ALL: [KeyElement; 9] = [
    LIBRARY_ROW,
    SCENARIO_DETAILS,
    NAME_FIELD,
    START_BUTTON,
    METER,
    CLOCK,
    REPLY_BOX,
    OPTION_BUTTON,
    DIMENSION_SCORE,
];

impl KeyElement {
    /// The key element a script names (`option`, `reply box`).
    pub(super) fn named(name: &str) -> Option<KeyElement> {
        ALL.into_iter().find(|key| key.0 == name)
    }
}

/// What each screen must show, whatever the window's size.
fn required_on(screen: Screen) -> &'static [KeyElement] {
    match screen {
        Screen::Title => &[LIBRARY_ROW, SCENARIO_DETAILS, NAME_FIELD, START_BUTTON],
        Screen::Call => &[METER, CLOCK, REPLY_BOX],
        Screen::Debrief => &[DIMENSION_SCORE],
    }
}

/// Where an element was laid out, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Placed {
    pub key: KeyElement,
    pub min: Vec2,
    pub size: Vec2,
}

/// The problems with a screen's layout: each required element (and each of `also`) must exist;
/// every key element must have a size; at least one element of each kind must lie wholly inside
/// the window (a long list may scroll the rest out of view).
pub(super) fn layout_problems(
    screen: Screen,
    also: &[KeyElement],
    placed: &[Placed],
    window: Vec2,
) -> Vec<String> {
    let mut problems = Vec::new();
    for key in required_on(screen).iter().chain(also) {
        let of_key: Vec<&Placed> = placed.iter().filter(|p| p.key == *key).collect();
        if of_key.is_empty() {
            problems.push(format!(
                "the {screen:?} screen at {}×{} shows no {}",
                window.x, window.y, key.0
            ));
            continue;
        }
        let inside = |p: &&Placed| {
            p.min.x >= -0.5
                && p.min.y >= -0.5
                && p.min.x + p.size.x <= window.x + 0.5
                && p.min.y + p.size.y <= window.y + 0.5
        };
        if !of_key.iter().any(inside) {
            let first = of_key[0];
            problems.push(format!(
                "the {screen:?} screen at {}×{} lays out its {} outside the window (at {:.0},{:.0}, {:.0}×{:.0})",
                window.x, window.y, key.0, first.min.x, first.min.y, first.size.x, first.size.y
            ));
        }
    }
    for p in placed {
        if p.size.x < 1.0 || p.size.y < 1.0 {
            problems.push(format!(
                "the {screen:?} screen at {}×{} gives a {} no size ({:.0}×{:.0})",
                window.x, window.y, p.key.0, p.size.x, p.size.y
            ));
        }
    }
    problems
}

/// Every visible key element of the UI as laid out in the last frame.
pub(super) fn placed_elements(
    elements: &Query<(
        &KeyElement,
        &ComputedNode,
        &UiGlobalTransform,
        &InheritedVisibility,
    )>,
) -> Vec<Placed> {
    elements
        .iter()
        .filter(|(_, _, _, visible)| visible.get())
        .map(|(key, node, transform, _)| {
            let size = node.size();
            Placed {
                key: *key,
                min: transform.translation - size / 2.0,
                size,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(key: KeyElement, x: f32, y: f32, w: f32, h: f32) -> Placed {
        Placed {
            key,
            min: Vec2::new(x, y),
            size: Vec2::new(w, h),
        }
    }

    #[test]
    fn a_title_screen_without_library_rows_fails() {
        let window = Vec2::new(1280.0, 720.0);
        let placed = [
            at(SCENARIO_DETAILS, 820.0, 90.0, 400.0, 300.0),
            at(NAME_FIELD, 820.0, 440.0, 400.0, 36.0),
            at(START_BUTTON, 820.0, 620.0, 400.0, 40.0),
        ];
        let problems = layout_problems(Screen::Title, &[], &placed, window);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("no library row"), "{problems:?}");
    }

    #[test]
    fn a_list_may_scroll_some_rows_out_of_view_but_not_all() {
        let window = Vec2::new(1280.0, 720.0);
        let mut placed = vec![
            at(SCENARIO_DETAILS, 820.0, 90.0, 400.0, 300.0),
            at(NAME_FIELD, 820.0, 440.0, 400.0, 36.0),
            at(START_BUTTON, 820.0, 620.0, 400.0, 40.0),
            at(LIBRARY_ROW, 40.0, 690.0, 700.0, 70.0),
        ];
        assert_eq!(
            layout_problems(Screen::Title, &[], &placed, window).len(),
            1
        );
        placed.push(at(LIBRARY_ROW, 40.0, 130.0, 700.0, 70.0));
        assert!(layout_problems(Screen::Title, &[], &placed, window).is_empty());
        placed.push(at(LIBRARY_ROW, 40.0, 210.0, 700.0, 0.0));
        assert!(
            layout_problems(Screen::Title, &[], &placed, window)[0].contains("no size"),
            "a collapsed row is a problem"
        );
    }

    #[test]
    fn options_are_checked_only_when_asked_for() {
        let window = Vec2::new(1366.0, 768.0);
        let placed = [
            at(METER, 20.0, 100.0, 200.0, 20.0),
            at(CLOCK, 20.0, 20.0, 80.0, 30.0),
            at(REPLY_BOX, 300.0, 700.0, 700.0, 40.0),
        ];
        assert!(layout_problems(Screen::Call, &[], &placed, window).is_empty());
        let problems = layout_problems(Screen::Call, &[OPTION_BUTTON], &placed, window);
        assert!(problems[0].contains("no option"), "{problems:?}");
    }
}
