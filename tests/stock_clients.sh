#!/usr/bin/env bash
# Stock clients against the real binary's demo server: `curl -u id:secret -d grant_type=client_credentials`,
# Python's requests-oauthlib, and a TypeScript client generated from openapi/openapi.json
# (clients/typescript/ci.sh: tsc --strict, invalid calls must not compile, then a walkthrough).
# Usage: tests/stock_clients.sh PYTHON (a python with requests-oauthlib).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${1:-python3}"
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
cargo run --quiet --locked --bin reintegration -- serve --demo --check-contract --listen "127.0.0.1:$port" \
    --database-url "sqlite://$work/demo.db" >"$work/out" 2>"$work/log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
    sleep 0.5
done
read -r client_id client_secret < <(awk '$(NF-1) == "demo-ngo-1" { print $(NF-1), $NF }' "$work/out")
[ -n "$client_id" ] || { echo "no demo client in the output" >&2; cat "$work/out" "$work/log" >&2; exit 1; }

answer=$(curl -s -u "$client_id:$client_secret" -d grant_type=client_credentials "http://127.0.0.1:$port/api/v1/auth/token")
echo "$answer" | grep -q '"access_token"' || { echo "curl -u got: $answer" >&2; exit 1; }
echo "curl -u id:secret -d grant_type=client_credentials: ok"
"$PYTHON" tests/oauth_client.py "http://127.0.0.1:$port" "$client_id" "$client_secret"
bash clients/typescript/ci.sh "http://127.0.0.1:$port" "$client_id" "$client_secret"
