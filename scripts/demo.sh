#!/usr/bin/env bash
# make demo: `panther serve` on the lake `make run` wrote (out/lake), with
# the alerts of the samples pushed into its alert store, so the console
# at http://127.0.0.1:8080 opens on the Fernhill story. Ctrl+C stops it.
# The tokens are made once and kept in out/serve/tokens (never commit it).
# With arguments, runs them once everything is ready (PANTHER_CONSOLE_URL,
# PANTHER_CONSOLE_TOKEN and PANTHER_CONSOLE_READ_TOKEN set) and stops:
# `make screenshots` does so.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/panther}
LISTEN=${PANTHER_DEMO_LISTEN:-127.0.0.1:8080}
DATA=out/serve
URL="http://$LISTEN"
mkdir -p "$DATA"
if [ ! -s "$DATA/tokens" ]; then
	umask 077
	printf 'write/demo:%s\nread/viewer:%s\ningest/replay:%s\n' "$(openssl rand -hex 24)" "$(openssl rand -hex 24)" "$(openssl rand -hex 24)" > "$DATA/tokens"
fi
token() { grep "^$1" "$DATA/tokens" | cut -d: -f2; }
PANTHER_SERVE_TOKENS=$(paste -sd, "$DATA/tokens") "$BIN" serve --data "$DATA" --lake out/lake --listen "$LISTEN" 2>>"$DATA/serve.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT INT TERM
for _ in $(seq 100); do
	curl -fsS "$URL/api/v1/health" >/dev/null 2>&1 && break
	kill -0 "$pid" 2>/dev/null || { echo "panther serve did not start: see $DATA/serve.log" >&2; exit 1; }
	sleep 0.1
done
PANTHER_API_TOKEN=$(token ingest/replay) "$BIN" replay testdata/samples --push "$URL" 2>&1 | grep '^pushed' || true
PANTHER_API_URL=$URL PANTHER_API_TOKEN=$(token write/demo) "$BIN" upload >/dev/null 2>&1 || echo "(the shipped packs were not uploaded: panther upload failed)" >&2
if [ $# -gt 0 ]; then
	PANTHER_CONSOLE_URL=$URL PANTHER_CONSOLE_TOKEN=$(token write/demo) PANTHER_CONSOLE_READ_TOKEN=$(token read/viewer) "$@"
	exit
fi
cat <<MSG

  The console: $URL
  Sign in with the write token: $(token write/demo)
  (read-only: $(token read/viewer); tokens in $DATA/tokens, serve's log in $DATA/serve.log)
  The samples are of 10 November 2026: the dashboard shows the week up to the last alert;
  search with the range 2026-11-10 to 2026-11-11.  Ctrl+C stops.

MSG
wait "$pid" || true
