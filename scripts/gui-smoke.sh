#!/usr/bin/env bash
# Plays a shipped scenario in a real window under Xvfb (Mesa software rendering) with a scripted
# trainee (tests/gui/smoke.ron), then opens the first scenario of each channel (phone, chat, email,
# messaging) for a short scripted call (tests/gui/channel.ron); saves a screenshot of every screen
# and fails if one is blank, a check fails or the game panics. Screenshots go to $OUT (default
# target/gui-screenshots), the channels' to $OUT/channels/<channel>/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rapport-target}"
OUT="${OUT:-$PWD/target/gui-screenshots}"
mkdir -p "$OUT"
rm -f "$OUT"/*.png
rm -rf "$OUT/channels"
cargo build --quiet --bin rapport
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT

# Runs the game with the script $1, screenshots into $2, opening scenario $3 (if given) straight
# into a call; a results database named in the caller's RAPPORT_DB is left alone.
run_game() {
  env -u RAPPORT_DB -u RAPPORT_GUI_OPEN ${3:+RAPPORT_GUI_OPEN="$3"} \
    CI_TESTING_CONFIG="$PWD/$1" \
    RAPPORT_SCREENSHOT_DIR="$2" \
    RAPPORT_HOME="$home" \
    RAPPORT_SCENARIOS="$PWD/scenarios" \
    RAPPORT_TRAINEE="CI trainee" \
    RUST_LOG="${RUST_LOG:-warn,rapport=info}" \
    xvfb-run -a -s "-screen 0 1920x1080x24" "$CARGO_TARGET_DIR/debug/rapport" gui
}

# Fails unless every named screenshot exists in directory $1.
expect_shots() {
  local dir="$1"
  shift
  for shot in "$@"; do
    test -s "$dir/$shot.png" || { echo "missing screenshot $dir/$shot.png" >&2; exit 1; }
  done
}

run_game tests/gui/smoke.ron "$OUT"
expect_shots "$OUT" title call call-1080 debrief debrief-turn call-retry debrief-1080 title-1080

for channel in Phone Chat Email Messaging; do
  file="$(grep -l "channel: $channel," scenarios/*.ron | sort | head -n 1)"
  test -n "$file" || { echo "no scenario in scenarios/ is on the $channel channel" >&2; exit 1; }
  id="$(sed -n 's/^ *id: "\([^"]*\)",.*/\1/p' "$file" | head -n 1)"
  dir="$OUT/channels/${channel,,}"
  mkdir -p "$dir"
  echo "channel ${channel,,}: $id" >&2
  run_game tests/gui/channel.ron "$dir" "$id"
  expect_shots "$dir" call-opening call call-1080
done
echo "gui smoke passed; screenshots in $OUT"
