#!/usr/bin/env bash
# Measures the game's launch-to-first-frame and its idle CPU while a call waits for the trainee:
# builds the release binary, opens a call under Xvfb (Mesa software rendering) with no input, and
# reads the process's CPU time from /proc over SECONDS (default 30). Usage:
#   scripts/gui-idle.sh [SCENARIO] [SECONDS]      (SCENARIO "" = the title screen)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rapport-target}"
scenario="${1-late-delivery}"
seconds="${2:-30}"
cargo build --quiet --release --bin rapport
bin="$CARGO_TARGET_DIR/release/rapport"
home="$(mktemp -d)"
log="$home/gui.log"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$home"' EXIT
RAPPORT_HOME="$home" RAPPORT_TRAINEE="Idle test" RUST_LOG="${RUST_LOG:-warn,rapport=info}" NO_COLOR=1 \
  RAPPORT_GUI_OPEN="$scenario" xvfb-run -a -s "-screen 0 1920x1080x24" "$bin" gui >"$log" 2>&1 &
sleep 12
pid="$(pgrep -f "^$bin gui" | head -1)"
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before="$(ticks)"; start="$(date +%s.%N)"
sleep "$seconds"
after="$(ticks)"; end="$(date +%s.%N)"
grep -o "first interactive frame.*\|frames drawn.*" "$log" | tail -2 || true
python3 -c "print(f'idle CPU: {100 * ($after - $before) / $(getconf CLK_TCK) / ($end - $start):.2f} % of a core over {$end - $start:.0f} s')"
