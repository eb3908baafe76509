#!/usr/bin/env bash
# The generated TypeScript client, end to end:
#   1. npm ci (pinned openapi-typescript, openapi-fetch, typescript, @types/node);
#   2. generate src/schema.ts from the committed OpenAPI document (never committed itself);
#   3. tsc --strict over src/walkthrough.ts (valid calls, emitted to dist/) and src/negative.ts
#      (invalid calls, each under `@ts-expect-error`: tsc fails if any of them compiles);
#   4. node dist/walkthrough.js against a running server.
#
# Usage: clients/typescript/ci.sh BASE_URL CLIENT_ID CLIENT_SECRET
#        (OPENAPI_DOCUMENT=path overrides ../../openapi/openapi.json)
# Needs node >= 20 (global fetch) and npm.
set -euo pipefail
cd "$(dirname "$0")"

if [ $# -ne 3 ]; then
    echo "usage: $0 BASE_URL CLIENT_ID CLIENT_SECRET" >&2
    exit 2
fi
document="${OPENAPI_DOCUMENT:-../../openapi/openapi.json}"

now() { date +%s%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", (b - a) / 1e9 }'; }

echo "node $(node --version), npm $(npm --version)"
versions() {
    node -e 'const l = require("./package-lock.json").packages;
        console.log(["openapi-typescript", "openapi-fetch", "typescript", "@types/node"]
            .map((n) => `${n} ${l["node_modules/" + n].version}`).join(", "))'
}

t=$(now)
npm ci --no-audit --no-fund --loglevel=error >/dev/null
echo "npm ci: $(took "$t") ($(versions))"

t=$(now)
rm -rf dist src/schema.ts
node_modules/.bin/openapi-typescript "$document" --output src/schema.ts
echo "generate: $(took "$t")"

t=$(now)
status=0
node_modules/.bin/tsc --strict -p . || status=$?
echo "tsc --strict: $(took "$t")"
if [ "$status" -ne 0 ]; then
    echo "tsc failed: a valid call does not compile (src/walkthrough.ts), or an invalid one does (src/negative.ts: TS2578 'Unused @ts-expect-error')" >&2
    exit 1
fi

node dist/walkthrough.js "$1" "$2" "$3"
