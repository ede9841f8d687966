#!/usr/bin/env bash
# Plays a shipped scenario in a real window under Xvfb (Mesa software rendering) with a scripted
# trainee (tests/gui/smoke.ron), saves a screenshot of every screen, and fails if one is blank,
# a check fails or the game panics. Screenshots go to $OUT (default target/gui-screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rapport-target}"
OUT="${OUT:-$PWD/target/gui-screenshots}"
mkdir -p "$OUT"
rm -f "$OUT"/*.png
cargo build --quiet --bin rapport
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
CI_TESTING_CONFIG="$PWD/tests/gui/smoke.ron" \
RAPPORT_SCREENSHOT_DIR="$OUT" \
RAPPORT_HOME="$home" \
RAPPORT_TRAINEE="CI trainee" \
RUST_LOG="${RUST_LOG:-warn,rapport=info}" \
  xvfb-run -a -s "-screen 0 1920x1080x24" "$CARGO_TARGET_DIR/debug/rapport" gui
for shot in title call call-1080 debrief debrief-turn debrief-1080 title-1080; do
  test -s "$OUT/$shot.png" || { echo "missing screenshot $OUT/$shot.png" >&2; exit 1; }
done
echo "gui smoke passed; screenshots in $OUT"
