#!/usr/bin/env bash
# Make sure Debian's chromium is present for the browser tests (idempotent).
# It installs only when the browser is missing and apt-get can run as root;
# otherwise it says what to do, and the browser tests skip (or fail under CI=true).
set -euo pipefail
CHROMIUM=${TACTFUL_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium for the browser tests (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "chromium is not installed at $CHROMIUM; install it (sudo apt-get install chromium) to run the browser tests" >&2
