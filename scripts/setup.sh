#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and run Rapport (ALSA headers for sound,
# Xvfb and Mesa's software Vulkan for the game window in tests, PostgreSQL for the team store tests,
# headless Chromium and its WebDriver for the team server's browser test).
# Safe to run again: it installs only what is missing. Needs root or sudo for apt-get.
set -euo pipefail

packages=(pkg-config libasound2-dev libudev-dev xvfb xauth mesa-vulkan-drivers libvulkan1 postgresql sox tmux chromium chromium-driver)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "rapport setup: please install: ${missing[*]} (apt-get needs root)" >&2
    exit 1
  fi
  echo "rapport setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "rapport setup: cargo not found; install Rust 1.95 with rustup (https://rustup.rs)" >&2
  exit 1
fi
