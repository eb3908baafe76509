#!/usr/bin/env bash
# The benchmark of issue #4, rerunnable: `bench/run.sh [sqlite|postgres|both]`.
# Seeds BENCH_CASES synthetic cases (default 1,000,000) into a fresh database per backend with the
# release binary, starts the server, and measures, each against a baseline taken in the same run:
#   - POST /api/v1/eligibility/check req/s vs a bare actix-web JSON endpoint of the same binary;
#   - GET /api/v1/cases/{id} (with a JWT) req/s vs `pgbench -S` on the same PostgreSQL;
#   - case list p50/p99: first page, a page 100,000 rows deep, filtered, name search in each script;
#   - registrations (arrival, person, case: three requests with Idempotency-Key) per second vs the
#     same rows written as raw SQL transactions (`reintegration bench-raw-registrations`), both
#     appending their audit events to the hash chain; and the chain's price (#13): the same
#     registrations through a server built with `bench-unchained-audit` (events written outside
#     the chain, as before #13), alternated with the normal server on the same database;
#   - `reintegration audit verify` over the whole trail: events per second;
#   - approvals per second on one hot grant from BENCH_APPROVAL_CLIENTS (50) clients, each of a
#     distinct requested service, by an NGO manager who did not request them (bench/approve.lua)
#     vs the same writes as raw SQL transactions (`reintegration bench-raw-approvals`) on as many
#     connections, and on as many as the server's pool has (10; SQLite 4);
#   - seed time, database size and the server's peak RSS.
# Throughput comes from wrk (closed loop, BENCH_CONNECTIONS connections, BENCH_DURATION); latency
# percentiles from oha at a fixed rate (BENCH_RATE requests/s), so a slow response cannot hold
# back the requests behind it.
# BENCH_SECTIONS picks sections (default all: "1 2 3 4 5 6"; 5 needs 4's NGO, so 5 runs 4's setup).
# Results: bench/results/<backend>.md (not committed); the README carries a dated copy.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKENDS=${1:-both}
CASES=${BENCH_CASES:-1000000}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
RATE=${BENCH_RATE:-200}
APPROVAL_CLIENTS=${BENCH_APPROVAL_CLIENTS:-50}
APPROVALS=${BENCH_APPROVALS:-}  # services for each of the approval benchmark's three runs (100,000 on SQLite, 20,000 on PostgreSQL)
SECTIONS=" ${BENCH_SECTIONS:-1 2 3 4 5 6} "
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=18181
BASE_PORT=18182
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
command -v oha >/dev/null || { echo "oha is missing: cargo install oha --locked" >&2; exit 1; }

on() { [[ $SECTIONS == *" $1 "* ]]; }
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/reintegration
RESULTS=$PWD/bench/results
mkdir -p "$RESULTS"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
if on 4; then # the chain's price: a second binary whose audit events skip the chain
    cargo build --release --locked --quiet --bin reintegration --features persistence/bench-unchained-audit
    cp "$BIN" "$work/reintegration-unchained"
fi
cargo build --release --locked --quiet --bin reintegration
"$BIN" generate-key >"$work/key.pem"

# wrk's requests/s and, with --latency, the 50th and 99th percentiles.
rps() { awk '/Requests\/sec/ { print $2 }'; }
percentile() { awk -v p="$1" '$1 == p { print $2 }'; }
ms() { # wrk prints 1.23ms, 456.00us or 1.02s
    sed -E 's/([0-9.]+)us/\1 0.001/; s/([0-9.]+)ms/\1 1/; s/([0-9.]+)s$/\1 1000/' | awk '{ printf "%.2f", $1 * $2 }'
}
wait_ready() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; return 1; }
wait_listening() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done; return 1; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
query() { # backend, database URL, one SQL query: its first row, fields separated by spaces
    case $1 in
        postgres) psql "$2" -tA -F ' ' -c "$3" ;;
        sqlite) python3 -c "import sqlite3,sys; print(*sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())" "${2#sqlite://}" "$3" ;;
    esac
}

run_backend() {
    local backend=$1 url size_cmd
    case $backend in
        sqlite) url="sqlite://$work/bench.db" ;;
        postgres)
            psql "$PG_ADMIN" -qc 'DROP DATABASE IF EXISTS reintegration_bench' -c 'CREATE DATABASE reintegration_bench'
            url="${PG_ADMIN%/*}/reintegration_bench" ;;
    esac
    local out="$RESULTS/$backend.md"
    echo "## $backend — $CASES cases, $(date -u +%Y-%m-%d), $(nproc) cores, wrk -c$CONNECTIONS -d$DURATION, oha -q$RATE, MALLOC_ARENA_MAX=${BENCH_MALLOC_ARENA_MAX:-2}" >"$out"

    local t0 t1
    t0=$(date +%s.%N)
    "$BIN" seed --cases "$CASES" --database-url "$url" 2>"$work/seed.log"
    t1=$(date +%s.%N)
    echo "- seed: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s" | tee -a "$out"
    case $backend in
        sqlite) echo "- database size: $(du -cb "$work"/bench.db* | tail -1 | awk '{ printf "%.0f MB", $1 / 1e6 }')" | tee -a "$out" ;;
        postgres) echo "- database size: $(psql "$url" -tAc "SELECT pg_database_size(current_database()) / 1000000") MB" | tee -a "$out" ;;
    esac

    printf 'bench admin passphrase 2017\n' | RUST_LOG=warn "$BIN" admin create --username bench-admin --full-name "Bench" --database-url "$url" >/dev/null
    local server
    serve() { # the binary to serve with
        # glibc gives each allocating thread its own arena; two keep the peak RSS down (README).
        MALLOC_ARENA_MAX=${BENCH_MALLOC_ARENA_MAX:-2} RUST_LOG=warn REINTEGRATION_RATE_LIMIT_PER_MINUTE=0 "$1" serve --listen "127.0.0.1:$PORT" --database-url "$url" \
            --jwt-signing-key-file "$work/key.pem" --log-format json 2>>"$work/server.log" >/dev/null &
        server=$!
        pids+=("$server")
        wait_ready "http://127.0.0.1:$PORT/health/ready"
    }
    serve "$BIN"
    local api="http://127.0.0.1:$PORT"
    local admin_token ministry token
    admin_token=$(curl -s "$api/api/v1/auth/token" -d grant_type=password -d username=bench-admin \
        -d password='bench admin passphrase 2017' | json 'd["access_token"]')
    ministry=$(curl -s "$api/api/v1/users/me" -H "authorization: Bearer $admin_token" | json 'd["organization_id"]')
    curl -s "$api/api/v1/users" -H "authorization: Bearer $admin_token" -H 'content-type: application/json' \
        -d "{\"username\":\"bench-auditor\",\"full_name\":\"Bench\",\"role\":\"auditor\",\"organization_id\":\"$ministry\",\"password\":\"bench auditor passphrase 2017\"}" >/dev/null
    token=$(curl -s "$api/api/v1/auth/token" -d grant_type=password -d username=bench-auditor \
        -d password='bench auditor passphrase 2017' | json 'd["access_token"]')

    if on 1; then
        # 1. The eligibility check against a bare actix-web JSON endpoint of the same binary.
        RUST_LOG=warn "$BIN" bench-baseline --listen "127.0.0.1:$BASE_PORT" 2>/dev/null &
        local baseline=$!
        pids+=("$baseline")
        wait_listening "http://127.0.0.1:$BASE_PORT/echo"
        export BENCH_BODY='{"legal_status":"citizen","personal_number":"01001012345","return_date":"2017-03-01","registration_date":"2017-05-10","residence_region":"GE-KK","irregular_periods":[{"start":"2015-01-10","end":"2017-03-01"}],"asylum_applied":false,"asylum_held":false}'
        local base check
        base=$(BENCH_TOKEN='' wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s -s bench/post.lua "http://127.0.0.1:$BASE_PORT/echo" | rps)
        check=$(BENCH_TOKEN=$token wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s -s bench/post.lua "$api/api/v1/eligibility/check" | rps)
        kill "$baseline"
        echo "- eligibility check: $check req/s vs bare actix-web JSON endpoint $base req/s ($(awk -v a="$check" -v b="$base" 'BEGIN { printf "%.0f", 100 * a / b }') %; target ≥ 70 %)" | tee -a "$out"
    fi

    if on 2; then
        # 2. One case by id, with a JWT, against pgbench -S on the same PostgreSQL.
        local case_id one
        case_id=$(curl -s "$api/api/v1/cases?limit=1" -H "authorization: Bearer $token" | json 'd["items"][0]["id"]')
        one=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s -H "Authorization: Bearer $token" "$api/api/v1/cases/$case_id" | rps)
        if [ "$backend" = postgres ]; then
            psql "$PG_ADMIN" -qc 'DROP DATABASE IF EXISTS reintegration_pgbench' -c 'CREATE DATABASE reintegration_pgbench'
            pgbench -q -i -s 10 "${PG_ADMIN%/*}/reintegration_pgbench" >/dev/null 2>&1
            local tps
            tps=$(pgbench -S -c "$CONNECTIONS" -j 2 -T "${DURATION%s}" "${PG_ADMIN%/*}/reintegration_pgbench" 2>/dev/null | awk '/^tps/ { print $3; exit }')
            psql "$PG_ADMIN" -qc 'DROP DATABASE reintegration_pgbench'
            echo "- GET /cases/{id}: $one req/s vs pgbench -S $tps tps ($(awk -v a="$one" -v b="$tps" 'BEGIN { printf "%.0f", 100 * a / b }') %; target ≥ 30 %)" | tee -a "$out"
        else
            echo "- GET /cases/{id}: $one req/s (pgbench has no SQLite counterpart)" | tee -a "$out"
        fi
    fi

    if on 3; then
        # 3. Case list latencies at a fixed rate: first page, 100,000 rows deep, filtered, name search.
        # 100,000 rows deep (or half the list, when fewer cases are seeded), in pages of 500.
        local cursor="" deep pages=$(( (CASES / 2 < 100000 ? CASES / 2 : 100000) / 500 ))
        for _ in $(seq 1 "$pages"); do
            cursor=$(curl -s "$api/api/v1/cases?limit=500${cursor:+&cursor=$cursor}" -H "authorization: Bearer $token" | json 'd["next_cursor"] or ""')
        done
        deep="$api/api/v1/cases?limit=50&cursor=$cursor"
        local name url_name
        for name in "first page|$api/api/v1/cases?limit=50" "$((pages * 500)) rows deep|$deep" \
            "filtered (region, status, date, shelter)|$api/api/v1/cases?limit=50&region=GE-KK&status=eligible&registered_from=2016-01-01&need_shelter=true" \
            "name, Latin (beri)|$api/api/v1/cases?limit=50&name=beri" \
            "name, Georgian (ბერი)|$api/api/v1/cases?limit=50&name=%E1%83%91%E1%83%94%E1%83%A0%E1%83%98" \
            "name, full (nino beridze)|$api/api/v1/cases?limit=50&name=nino%20beridze"; do
            url_name=${name#*|}
            local report p50 p99 ok
            report=$(oha --no-tui --output-format json -z "$DURATION" -q "$RATE" -c "$CONNECTIONS" \
                -H "Authorization: Bearer $token" "$url_name")
            p50=$(echo "$report" | json '"%.2f" % (d["latencyPercentiles"]["p50"] * 1000)')
            p99=$(echo "$report" | json '"%.2f" % (d["latencyPercentiles"]["p99"] * 1000)')
            ok=$(echo "$report" | json 'd["statusCodeDistribution"].get("200", 0)')
            echo "- case list, ${name%%|*}: p50 $p50 ms, p99 $p99 ms ($ok responses 200 at $RATE/s)" | tee -a "$out"
        done
    fi

    if on 4 || on 5; then
        # 4. Registrations through the API vs the same rows as raw SQL transactions.
        local ngo caseworker registered raw
        ngo=$(curl -s "$api/api/v1/organizations" -H "authorization: Bearer $admin_token" -H 'content-type: application/json' \
            -d '{"name_ka":"ორგანიზაცია ბენჩი","name_en":"Bench NGO","legal_form":"non-entrepreneurial non-commercial legal entity","regions":["GE-TB","GE-KK"]}' \
            | json 'd["id"]')
        curl -s "$api/api/v1/users" -H "authorization: Bearer $admin_token" -H 'content-type: application/json' \
            -d "{\"username\":\"bench-caseworker\",\"full_name\":\"Bench\",\"role\":\"ngo_caseworker\",\"organization_id\":\"$ngo\",\"password\":\"bench caseworker passphrase 2017\"}" >/dev/null
        caseworker=$(curl -s "$api/api/v1/auth/token" -d grant_type=password -d username=bench-caseworker \
            -d password='bench caseworker passphrase 2017' | json 'd["access_token"]')
        if on 4; then
            registered=$(BENCH_TOKEN=$caseworker BENCH_RUN=1 wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d"$DURATION" --timeout 30s \
                -s bench/register.lua "$api/api/v1/arrivals" | awk '/^registrations/ { printf "%.1f", $2 / $6 }')
            raw=$("$BIN" bench-raw-registrations --organization-id "$ngo" --seconds "${DURATION%s}" \
                --connections "$CONNECTIONS" --run 1 --database-url "$url")
            echo "- registrations (arrival + person + case, 3 requests): $registered/s vs raw SQL transactions $raw/s ($(awk -v a="$registered" -v b="$raw" 'BEGIN { printf "%.0f", 100 * a / b }') %; target ≥ 80 %)" | tee -a "$out"
            # The chain's price: the same registrations through the unchained build and the normal one,
            # alternated on this database (runs 2–5); the normal server chains the unchained build's
            # events when it starts, before it serves.
            local chained=() unchained=() run rate
            for run in 2 3 4 5; do
                kill "$server"; wait "$server" 2>/dev/null || true
                if (( run % 2 == 0 )); then serve "$work/reintegration-unchained"; else serve "$BIN"; fi
                rate=$(BENCH_TOKEN=$caseworker BENCH_RUN=$run wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d"$DURATION" --timeout 30s \
                    -s bench/register.lua "$api/api/v1/arrivals" | awk '/^registrations/ { printf "%.1f", $2 / $6 }')
                if (( run % 2 == 0 )); then unchained+=("$rate"); else chained+=("$rate"); fi
            done
            kill "$server"; wait "$server" 2>/dev/null || true
            serve "$BIN"
            local with without
            with=$(printf '%s\n' "$registered" "${chained[@]}" | awk '{ s += $1 } END { printf "%.1f", s / NR }')
            without=$(printf '%s\n' "${unchained[@]}" | awk '{ s += $1 } END { printf "%.1f", s / NR }')
            echo "- the chain's price: registrations with the chain $with/s (runs: $registered ${chained[*]}) vs without $without/s (runs: ${unchained[*]}): $(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.1f", 100 * (b - a) / b }') % fewer (target ≤ 15 %)" | tee -a "$out"
        fi
    fi

    if on 5; then
        # 5. Approvals on one hot grant through the API vs the same writes as raw SQL transactions.
        # The Bench NGO gets this (Tbilisi) year's grant, room for every service, and one eligible
        # case; its caseworker requests 3 × BENCH_APPROVALS services on it (through the request
        # action): a third approved through the API by its manager, a third by raw transactions on
        # as many connections as the API has clients, a third by raw transactions on as many as the
        # server's pool. Before each run, on PostgreSQL, `VACUUM grants` does what autovacuum would
        # (off on this machine's PostgreSQL; on, it comes a minute late): every approval leaves a
        # dead version of the grant's row, which every later read and update of the row walks past,
        # so each run starts from a clean row rather than from the previous runs' debris.
        local approvals=${APPROVALS:-$([ "$backend" = sqlite ] && echo 100000 || echo 20000)} pool_size
        pool_size=$([ "$backend" = sqlite ] && echo 4 || echo 10)
        local year manager manager_id caseworker_id grant case_id case_body approved_api
        year=$(TZ=Asia/Tbilisi date +%Y)
        curl -s "$api/api/v1/users" -H "authorization: Bearer $admin_token" -H 'content-type: application/json' \
            -d "{\"username\":\"bench-manager\",\"full_name\":\"Bench\",\"role\":\"ngo_manager\",\"organization_id\":\"$ngo\",\"password\":\"bench manager passphrase 2017\"}" >/dev/null
        manager=$(curl -s "$api/api/v1/auth/token" -d grant_type=password -d username=bench-manager \
            -d password='bench manager passphrase 2017' | json 'd["access_token"]')
        manager_id=$(curl -s "$api/api/v1/users/me" -H "authorization: Bearer $manager" | json 'd["id"]')
        caseworker_id=$(curl -s "$api/api/v1/users/me" -H "authorization: Bearer $caseworker" | json 'd["id"]')
        local amount=10000 room=$(( 4 * approvals * 10000 ))
        curl -s "$api/api/v1/program-years" -H "authorization: Bearer $admin_token" -H 'content-type: application/json' \
            -d "{\"year\":$year,\"budget_tetri\":$room}" >/dev/null
        grant=$(curl -s "$api/api/v1/grants" -H "authorization: Bearer $admin_token" -H 'content-type: application/json' \
            -d "{\"program_year\":$year,\"organization_id\":\"$ngo\",\"amount_tetri\":$room,\"period_start\":\"$year-01-01\",\"period_end\":\"$year-12-31\"}" \
            | json 'd["id"]')
        local cw=(-H "authorization: Bearer $caseworker" -H 'content-type: application/json')
        local arrival person
        arrival=$(curl -s "$api/api/v1/arrivals" "${cw[@]}" -d '{"personal_number":"79000000001","arrival_date":"2017-03-01","point_of_arrival":"tbilisi_airport","countries":["IT"],"irregular_periods":[{"start":"2015-01-10","end":"2017-03-01"}],"asylum_applied":false,"asylum_held":false,"needs":{"shelter":false,"medical":false,"other":null}}' | json 'd["id"]')
        person=$(curl -s "$api/api/v1/persons" "${cw[@]}" -d '{"legal_status":"citizen","personal_number":"79000000001","residence_region":"GE-TB"}' | json 'd["id"]')
        case_id=$(curl -s "$api/api/v1/cases" "${cw[@]}" -d "{\"person_id\":\"$person\",\"arrival_id\":\"$arrival\",\"registration_date\":\"2017-04-01\"}" | json 'd["id"]')
        case_body=$(curl -s "$api/api/v1/cases/$case_id/eligibility" -X POST -H "authorization: Bearer $caseworker" -H 'If-Match: *')
        [ "$(echo "$case_body" | json 'd["case_status"]')" = eligible ] || { echo "the approval benchmark's case is not eligible: $case_body" >&2; exit 1; }
        RUST_LOG=warn "$BIN" bench-request-services --case-id "$case_id" --requested-by-user-id "$caseworker_id" \
            --count $(( 3 * approvals )) --amount-tetri "$amount" --database-url "$url" >"$work/services.txt"
        split -d -l "$approvals" "$work/services.txt" "$work/services-"
        fresh_grant() { [ "$backend" = sqlite ] || query postgres "$url" "VACUUM grants" >/dev/null; }
        fresh_grant
        approved_api=$(BENCH_TOKEN=$manager BENCH_AMOUNT=$amount BENCH_SERVICES=$work/services-00 BENCH_THREADS=$APPROVAL_CLIENTS \
            wrk -t"$APPROVAL_CLIENTS" -c"$APPROVAL_CLIENTS" -d"$DURATION" --timeout 30s -s bench/approve.lua "$api")
        echo "$approved_api" | grep -q '^first failure' && echo "$approved_api" | grep '^first failure' >&2
        local api_rate api_exceeded api_failed api_spare raw_rate raw_exceeded raw_ran_out pool_rate pool_exceeded pool_ran_out
        read -r api_rate api_exceeded api_failed api_spare < <(echo "$approved_api" | awk '/^approvals/ { printf "%.1f %d %d %d\n", $2 / $10, $4, $6, $8 }')
        raw_approvals() { # services file, connections
            fresh_grant
            "$BIN" bench-raw-approvals --grant-id "$grant" --organization-id "$ngo" --decided-by-user-id "$manager_id" \
                --amount-tetri "$amount" --services-file "$1" --seconds "${DURATION%s}" --connections "$2" --database-url "$url"
        }
        read -r raw_rate raw_exceeded raw_ran_out <<<"$(raw_approvals "$work/services-01" "$APPROVAL_CLIENTS")"
        read -r pool_rate pool_exceeded pool_ran_out <<<"$(raw_approvals "$work/services-02" "$pool_size")"
        [ "$api_spare" = 0 ] && [ -z "${raw_ran_out:-}${pool_ran_out:-}" ] ||
            echo "  (ran out of requested services: raise BENCH_APPROVALS; API spare requests: $api_spare, raw: ${raw_ran_out:-} ${pool_ran_out:-})" >&2
        # R10 after the race: the grant holds exactly what its services hold, within the grant.
        local grant_check
        grant_check=$(query "$backend" "$url" "SELECT committed_tetri || ' of ' || amount_tetri || ' tetri, its services ' || \
            (SELECT COALESCE(SUM(CASE status WHEN 'approved' THEN approved_amount_tetri + supplementary_tetri \
            WHEN 'delivered' THEN delivered_amount_tetri ELSE 0 END), 0) FROM services WHERE grant_id = grants.id) \
            FROM grants WHERE id = '$grant'")
        percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", 100 * a / b }'; }
        echo "- approvals on one grant, $APPROVAL_CLIENTS clients: $api_rate/s vs raw SQL transactions on $APPROVAL_CLIENTS connections $raw_rate/s ($(percent "$api_rate" "$raw_rate") %; target ≥ 70 % on PostgreSQL), on $pool_size connections $pool_rate/s ($(percent "$api_rate" "$pool_rate") %); API: grant_exceeded $api_exceeded, other errors $api_failed; raw: grant_exceeded $((raw_exceeded + pool_exceeded)); grant holds $grant_check" | tee -a "$out"
    fi

    echo "- server peak RSS: $(awk '/VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/$server/status")${BENCH_SECTIONS:+ (sections $BENCH_SECTIONS)}" | tee -a "$out"
    kill "$server"; wait "$server" 2>/dev/null || true

    # 6. Verifying the whole audit trail (#13): `reintegration audit verify`, events per second.
    if on 6; then
        local events v0 v1 verdict
        events=$(query "$backend" "$url" "SELECT seq FROM audit_chain_head")
        v0=$(date +%s.%N)
        verdict=$(RUST_LOG=warn "$BIN" audit verify --database-url "$url" 2>&1 | tail -1)
        v1=$(date +%s.%N)
        echo "- audit verify over $events events: $(awk -v a="$v0" -v b="$v1" 'BEGIN { printf "%.2f", b - a }') s, $(awk -v n="$events" -v a="$v0" -v b="$v1" 'BEGIN { printf "%.0f", n / (b - a) }') events/s (target ≥ 100,000); $verdict" | tee -a "$out"
    fi
}

case $BACKENDS in
    both) run_backend sqlite; run_backend postgres ;;
    sqlite | postgres) run_backend "$BACKENDS" ;;
    *) echo "usage: bench/run.sh [sqlite|postgres|both]" >&2; exit 2 ;;
esac
