#!/usr/bin/env bash
# Sets up a fresh machine if needed and runs every test: the core, the CLI, the labelled analyser
# set, the shipped test plans, the store against SQLite and PostgreSQL, and the game under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rapport-target}"
export NO_COLOR=1
export RAPPORT_REQUIRE_GUI_TEST=1

if [ -z "${RAPPORT_TEST_POSTGRES:-}" ] && [ -x scripts/start-test-postgres.sh ]; then
  if url=$(./scripts/start-test-postgres.sh); then export RAPPORT_TEST_POSTGRES="$url"; fi
fi

cargo fmt --all -- --check
cargo test
# The binary `cargo test` built for the CLI tests. `cargo run` would build it again with other
# features (without the dev-dependencies' unification), which means a second build of Bevy.
rapport="$CARGO_TARGET_DIR/debug/rapport"
"$rapport" validate --deny-warnings scenarios/
"$rapport" test scenarios/
