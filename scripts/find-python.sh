#!/usr/bin/env bash
# Print a Python 3.10 interpreter: .python-version via pyenv, python3.10 on PATH,
# or any pyenv-installed 3.10.
set -u
candidates=()
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root)"
  candidates+=("$root/versions/$(cat .python-version 2>/dev/null)/bin/python")
  for path in "$root"/versions/3.10*/bin/python; do candidates+=("$path"); done
fi
candidates+=("$(command -v python3.10 2>/dev/null)" /usr/bin/python3.10 /usr/local/bin/python3.10)
for candidate in "${candidates[@]}"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$candidate"
    exit 0
  fi
done
exit 1
