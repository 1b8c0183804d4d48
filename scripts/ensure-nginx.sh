#!/usr/bin/env bash
# Make sure Debian's nginx binary is present for the scale-out test (idempotent).
# It installs only when nginx is missing and apt-get can run as root; otherwise
# it says what to do, and the scale-out test skips (or fails under CI=true).
# nginx never runs as a system service here: the test starts its own with its
# own config, prefix and free ports (tests/scale/cluster.py).
set -euo pipefail
NGINX=${TACTFUL_NGINX:-/usr/sbin/nginx}
if [ -x "$NGINX" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing nginx for the scale-out test (apt-get)..."
  # The package's post-install script would start nginx on port 80; a
  # policy-rc.d that answers 101 ("action forbidden") stops it, and is removed
  # again unless it was already there.
  policy=/usr/sbin/policy-rc.d
  added=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    added=1
  fi
  trap '[ -n "$added" ] && rm -f "$policy"' EXIT
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  exit 0
fi
echo "nginx is not installed at $NGINX; install it (sudo apt-get install nginx-light) to run the scale-out test" >&2
