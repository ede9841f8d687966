#!/usr/bin/env bash
# Sets up a fresh machine if needed, builds Rapport and runs it: with no arguments it opens the game
# (under Xvfb when there is no display); `./scripts/play.sh play late-delivery` plays in the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rapport-target}"
cargo build --quiet --bin rapport
bin="$CARGO_TARGET_DIR/debug/rapport"
if [ $# -eq 0 ] || [ "$1" = gui ]; then
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "No display: running the game under Xvfb with a scripted trainee; screenshots go to target/screenshots/." >&2
    exec ./scripts/gui-smoke.sh
  fi
fi
exec "$bin" "$@"
