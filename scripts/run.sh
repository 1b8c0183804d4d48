#!/usr/bin/env bash
# Start the action server, the Rasa server and (when present) the demo shop
# page. Ctrl-C stops every process this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

$BIN/python -m tactful.action_server --port "$TACTFUL_ACTION_PORT" >var/actions.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$TACTFUL_ACTION_PORT/health" "action server" "var/*.log"

if [ "${1:-}" = "--shell" ]; then
  $BIN/rasa shell --model models/tactful.tar.gz --endpoints endpoints.yml
  exit 0
fi

# No --cors: the socket.io channel answers CORS for the demo page itself
# (origins from TACTFUL_WEB_PORT or TACTFUL_WEB_ORIGINS), and --cors would add a
# second Access-Control-Allow-Origin header, which browsers reject.
$BIN/rasa run --model models/tactful.tar.gz --endpoints endpoints.yml --credentials credentials.yml \
  --interface 127.0.0.1 --port "$TACTFUL_RASA_PORT" --enable-api --auth-token "$RASA_TOKEN" \
  >var/rasa.log 2>&1 &
pids+=($!)

if [ -f tactful/web/server.py ]; then
  $BIN/python -m tactful.web.server --port "$TACTFUL_WEB_PORT" >var/web.log 2>&1 &
  pids+=($!)
fi
$BIN/python -m tactful.dashboard --port "$TACTFUL_DASHBOARD_PORT" >var/dashboard.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$TACTFUL_RASA_PORT/" "Rasa server" "var/*.log"

cat <<MSG

Tactful is running.
  Web chat (demo shop):  http://127.0.0.1:$TACTFUL_WEB_PORT/
  Offers dashboard:      http://127.0.0.1:$TACTFUL_DASHBOARD_PORT/dashboard  (staff token: $TACTFUL_DASHBOARD_TOKEN)
  REST:  TOKEN=\$(make -s token CUSTOMER=C001)
         curl -s localhost:$TACTFUL_RASA_PORT/webhooks/rest/webhook -H 'content-type: application/json' \\
           -d '{"sender":"me","message":"where is my order?","metadata":{"customer_token":"'\$TOKEN'"}}'
  Terminal chat: make shell
Logs are in var/. Press Ctrl-C to stop everything.
MSG
wait -n "${pids[@]}"
