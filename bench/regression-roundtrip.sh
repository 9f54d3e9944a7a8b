#!/usr/bin/env bash
# Fidelity check on PostgreSQL's own regression database (bench/regression-db.sh): backup, verify and restore it with
# the packaged function (target/function.zip through bin/invoke, file:// repository, local key), then compare the
# source with the restored copy by `pg_dump --schema-only`, with and without owners and privileges. Prints a markdown
# summary; the diffs stay in the work directory it names.
#
# usage: bench/regression-roundtrip.sh [RESTORE-PAYLOAD-EXTRA-JSON]   e.g. '{"roles": "create-missing"}'
# Starts its own server (bin/pg-local), stopped on exit; ~5 min on two idle cores (most of it the regression suite).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXTRA=${1:-{\}}
[ -f "$ROOT/target/function.zip" ] || { echo "regression-roundtrip: package first (./mvnw -q package -DskipTests)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/regression-roundtrip.XXXXXX)
chmod 755 "$WORK"
trap '"$ROOT/bin/pg-local" stop "$WORK/pg" >/dev/null 2>&1 || true' EXIT
URL=$("$ROOT/bin/pg-local" start "$WORK/pg")
SOURCE=$("$ROOT/bench/regression-db.sh" "$URL")
BASE=${URL%/postgres}
export PGPASSWORD=$(python3 -c 'import sys,urllib.parse as u; print(u.unquote(u.urlsplit(sys.argv[1]).password))' "$URL")
HOSTPORT=$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(p.hostname, p.port)' "$URL")
read -r HOST PORT <<<"$HOSTPORT"
psql() { command psql -X -q -h "$HOST" -p "$PORT" -U postgres "$@"; }
psql -d postgres -c "CREATE DATABASE regression_restored"
export BACKUP_REPOSITORY="file://$WORK/repo" BACKUP_KMS_KEY="file://$WORK/key" BACKUP_DB_TLS_DEFAULTS=as-given
run() { local name=$1; shift; local t0; t0=$(date +%s.%N)
  if "$ROOT/bin/invoke" "$@" >"$WORK/$name.json" 2>"$WORK/$name.log"; then rc=0; else rc=$?; fi
  printf '| %s | %s | %.1f s |\n' "$name" "$([ $rc = 0 ] && echo passed || echo "FAILED ($WORK/$name.log)")" \
      "$(echo "$(date +%s.%N) - $t0" | bc)"; }
echo "| step | result | wall |"; echo "|---|---|---|"
BACKUP_DB_URL="$SOURCE?sslmode=disable" run backup backup '{"reason": "regression corpus"}'
ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["backupId"])' "$WORK/backup.json")
run verify verify "{\"backupId\": \"$ID\"}"
PAYLOAD=$(python3 -c 'import json,sys; p=json.loads(sys.argv[3]); p.update(backupId=sys.argv[1], target=sys.argv[2]); print(json.dumps(p))' \
    "$ID" "$BASE/regression_restored?sslmode=disable" "$EXTRA")
run restore restore "$PAYLOAD"
for d in regression regression_restored; do
  pg_dump -h "$HOST" -p "$PORT" -U postgres --schema-only --no-owner --no-privileges "$d" | grep -v '^\\\(un\)\?restrict ' > "$WORK/$d.schema.sql"
  pg_dump -h "$HOST" -p "$PORT" -U postgres --schema-only "$d" | grep -v '^\\\(un\)\?restrict ' > "$WORK/$d.full.sql"
done
echo
echo "tables: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r.get("tablesRestored"), "restored, fingerprints equal:", r.get("fingerprintsEqual"))' "$WORK/restore.json" 2>/dev/null || echo '?')"
echo "schema diff without owners/privileges: $(diff "$WORK/regression.schema.sql" "$WORK/regression_restored.schema.sql" | grep -c '^[<>]' || true) lines (PostgreSQL's own residual: inherited column order)"
echo "schema diff with owners and privileges: $(diff "$WORK/regression.full.sql" "$WORK/regression_restored.full.sql" | grep -c '^[<>]' || true) lines"
echo "work directory: $WORK"
