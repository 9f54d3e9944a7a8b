#!/usr/bin/env bash
# Native vs JVM benchmark (issue 14): the same handlers run through bin/invoke from the JVM function.zip and
# from the native one, alternately, several times; bench/native_report.py prints medians.
#   - cold start: each of the six handlers on a tiny database (scale 0.1), process start to result;
#   - throughput: backup, verify and restore of the bench database (handler durationMs and process wall);
#   - peak RSS of the function process (VmHWM of `java` or `bootstrap`);
#   - sizes of the two zips and of the native executable.
# Reuses bench/lib.sh (database server, time limits, cleanup) and bench/measure.py (wall, VmHWM, CPU).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/native-bench.sh [options]

  --scale N        bench database scale (db/taskmaster-sample.sql; 150 = ~1 GB)          [BENCH_SCALE=30]
  --runs N         runs of each kind (alternating JVM/native, then native/JVM, ...)      [BENCH_RUNS=3]
  --db-dir DIR     keep the database server's files in DIR and reuse the databases        [BENCH_DB_DIR]
  --report FILE    also write the markdown report to FILE                                [BENCH_REPORT]
  -h, --help

Needs the JVM package target/function.zip (./mvnw package -DskipTests) and the native one,
target/native/function.zip (bin/test --native leaves it there), or BENCH_JVM_ZIP / BENCH_NATIVE_ZIP.
Environment: INVOKE_JAVA_OPTS (JVM runs; default -Xmx256m -XX:+UseSerialGC), BENCH_TIMEOUT (whole run, s,
default 3600), BENCH_CASE_TIMEOUT (one invocation, s, default 900), BENCH_IDLE_WAIT (before each invocation
wait up to this many s for the machine to be idle; default 0), BENCH_TMPDIR.
The report goes to stdout, progress to stderr.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
SCALE=${BENCH_SCALE:-30}
RUNS=${BENCH_RUNS:-3}
DB_DIR=${BENCH_DB_DIR:-}
REPORT=${BENCH_REPORT:-}
TOTAL_TIMEOUT=${BENCH_TIMEOUT:-3600}
CASE_TIMEOUT=${BENCH_CASE_TIMEOUT:-900}
IDLE_WAIT=${BENCH_IDLE_WAIT:-0}
JAVA_OPTS_BASE=${INVOKE_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}
JVM_ZIP=$(realpath -m "${BENCH_JVM_ZIP:-$ROOT/target/function.zip}")
NATIVE_ZIP=$(realpath -m "${BENCH_NATIVE_ZIP:-$ROOT/target/native/function.zip}")

while [ $# -gt 0 ]; do
  case $1 in
    --scale) SCALE=${2:?--scale needs a value}; shift 2 ;;
    --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
    --db-dir) DB_DIR=${2:?--db-dir needs a value}; shift 2 ;;
    --report) REPORT=${2:?--report needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "native-bench: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $SCALE =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "native-bench: bad scale '$SCALE'" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "native-bench: bad --runs '$RUNS'" >&2; exit 2; }

T0=$(date +%s) LOG_NAME=native-bench
PG_BIN=$(newest_pg_bin pg_dump)
for t in python3 java unzip "$PG_BIN/pg_dump" "$PG_BIN/psql"; do
  command -v "$t" >/dev/null || die "$t not found"
done
[ -f "$JVM_ZIP" ] || die "$JVM_ZIP is missing: ./mvnw package -DskipTests"
[ -f "$NATIVE_ZIP" ] || die "$NATIVE_ZIP is missing: bin/test --native (or BENCH_NATIVE_ZIP)"
unzip -l "$NATIVE_ZIP" bootstrap >/dev/null 2>&1 || die "$NATIVE_ZIP has no bootstrap: not a native package"
unzip -l "$JVM_ZIP" bootstrap >/dev/null 2>&1 && die "$JVM_ZIP has a bootstrap: not the JVM package"

before_pg_stop() {
  local db
  [ "$PG_STARTED" = 1 ] || return 0
  for db in $(psqlq -d "$ADMIN_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'nb\_target\_%' OR datname LIKE 'tmb_restore_test_%'" 2>/dev/null); do
    psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
  done
}
bench_start native-bench
start_pg
psqlq() { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

# sample_db SCALE: database nb_s<SCALE> loaded with db/taskmaster-sample.sql (reused with --db-dir); prints its URL
sample_db() {
  local name=nb_s${1//./_} url marker
  url=${ADMIN_URL%/*}/$name
  marker=$PG_DIR/bench-loaded-$name
  if [ ! -f "$marker" ]; then
    psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
    log "loading $name (scale $1)"
    run timeout "$(python3 -c "print(int(max(120, 1.2 * $1 + 60)))")" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -v scale="$1" -d "$url" -f "$ROOT/db/taskmaster-sample.sql" >"$TMP/load.log" 2>&1 \
      || { tail -20 "$TMP/load.log" >&2; die "loading scale $1 failed or timed out"; }
    run psqlq -d "$url" -c "VACUUM (FREEZE, ANALYZE)" -c "CHECKPOINT"
    touch "$marker"
  fi
  echo "$url"
}
TINY_URL=$(sample_db 0.1)
BENCH_URL=$(sample_db "$SCALE")
DB_MB=$(psqlq -d "$BENCH_URL" -Atc "SELECT pg_database_size(current_database()) / 1048576")
log "bench database: $DB_MB MB (scale $SCALE); cold starts on scale 0.1"

zip_of() { if [ "$1" = jvm ]; then echo "$JVM_ZIP"; else echo "$NATIVE_ZIP"; fi; }
BOOTSTRAP_BYTES=$(unzip -p "$NATIVE_ZIP" bootstrap | wc -c)
cat > "$RES/meta.json" <<EOF
{"scale": $SCALE, "db_mb": $DB_MB, "runs": $RUNS, "started": "$(date -u +%Y-%m-%dT%H:%MZ)", "cpus": $(nproc),
 "java_version": "$(java -version 2>&1 | head -1 | tr -d '"')", "java_opts": "$JAVA_OPTS_BASE",
 "jvm_zip_bytes": $(stat -c %s "$JVM_ZIP"), "native_zip_bytes": $(stat -c %s "$NATIVE_ZIP"),
 "native_bootstrap_bytes": $BOOTSTRAP_BYTES, "command": "bench/native-bench.sh $*"}
EOF

# invoke_case KIND RUN GROUP HANDLER EVENT [ENV...]: one measured bin/invoke; a line in $RES/cases.jsonl
invoke_case() {
  local kind=$1 r=$2 group=$3 handler=$4 event=$5 rc=0
  shift 5
  measure --stdout "$TMP/out.json" --stderr "$TMP/err.log" -- \
      env INVOKE_FUNCTION_ZIP="$(zip_of "$kind")" INVOKE_JAVA_OPTS="$JAVA_OPTS_BASE" \
          INVOKE_TIMEOUT_SECONDS="$CASE_TIMEOUT" BACKUP_ALERT_TOPIC=stderr BACKUP_PG_BIN="$PG_BIN" "$@" \
          "$ROOT/bin/invoke" "$handler" "$event" || rc=$?
  if [ "$rc" != 0 ]; then log "  $kind $group $handler FAILED (exit $rc):"; tail -15 "$TMP/err.log" >&2; fi
  python3 - "$TMP/m.json" "$TMP/out.json" "$kind" "$r" "$group" "$handler" "$rc" >> "$RES/cases.jsonl" <<'PY'
import json, sys
m_file, out_file, kind, run, group, handler, rc = sys.argv[1:]
m = json.load(open(m_file))
try:
    out = json.load(open(out_file))
except (OSError, ValueError):
    out = {}
proc = m["procs"].get("java" if kind == "jvm" else "bootstrap", {})
print(json.dumps({"kind": kind, "run": int(run), "group": group, "handler": handler, "exit": int(rc),
                  "wall_s": m["wall_s"], "hwm_mb": proc.get("hwm_mb"), "fn_cpu_s": proc.get("cpu_s"),
                  "other_cpu_s": m.get("other_cpu_s"), "result": out}))
PY
  log "  $kind run $r $group $handler: $(tail -1 "$RES/cases.jsonl" | python3 -c "import json,sys; c=json.load(sys.stdin); print(f\"{c['wall_s']:.2f} s, VmHWM {c['hwm_mb']} MB, exit {c['exit']}\")")"
  [ "$rc" = 0 ]
}

backup_id() { python3 -c "import json; print(json.load(open('$TMP/out.json'))['backupId'])"; }
new_target() { psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; echo "${ADMIN_URL%/*}/$1"; }
drop_db() { psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }

# one_kind KIND RUN: the six handlers on the tiny database, then backup/verify/restore of the bench database
one_kind() {
  local kind=$1 r=$2 repo id target
  repo=$TMP/repo-$kind-$r
  local env=(BACKUP_REPOSITORY="file://$repo" BACKUP_KMS_KEY="file://$TMP/local.key" BACKUP_DB_URL="$TINY_URL"
             RESTORE_TEST_DB_URL="$ADMIN_URL")
  invoke_case "$kind" "$r" cold backup '{}' "${env[@]}" || return 0
  id=$(backup_id)
  invoke_case "$kind" "$r" cold list '{}' "${env[@]}" || true
  invoke_case "$kind" "$r" cold verify "{\"backupId\": \"$id\"}" "${env[@]}" || true
  target=$(new_target nb_target_tiny)
  invoke_case "$kind" "$r" cold restore "{\"backupId\": \"$id\", \"target\": \"$target\"}" "${env[@]}" || true
  drop_db nb_target_tiny
  invoke_case "$kind" "$r" cold restore-test "{\"backupId\": \"$id\"}" "${env[@]}" || true
  invoke_case "$kind" "$r" cold prune '{}' "${env[@]}" || true
  rm -rf "$repo"

  env=(BACKUP_REPOSITORY="file://$repo" BACKUP_KMS_KEY="file://$TMP/local.key" BACKUP_DB_URL="$BENCH_URL")
  invoke_case "$kind" "$r" throughput backup '{}' "${env[@]}" || return 0
  id=$(backup_id)
  invoke_case "$kind" "$r" throughput verify "{\"backupId\": \"$id\"}" "${env[@]}" || true
  target=$(new_target nb_target_bench)
  invoke_case "$kind" "$r" throughput restore "{\"backupId\": \"$id\", \"target\": \"$target\"}" "${env[@]}" || true
  drop_db nb_target_bench
  rm -rf "$repo"
}

log "warm-up (not measured): bin/invoke list from each zip (unpacks it, brings it into the page cache)"
for kind in jvm native; do
  run env INVOKE_FUNCTION_ZIP="$(zip_of $kind)" BACKUP_REPOSITORY="file://$TMP/warm" BACKUP_KMS_KEY="file://$TMP/local.key" \
      BACKUP_DB_URL="$TINY_URL" BACKUP_ALERT_TOPIC=stderr "$ROOT/bin/invoke" list >/dev/null 2>"$TMP/warm.err" \
    || { tail -20 "$TMP/warm.err" >&2; die "bin/invoke list ($kind) failed"; }
done
for r in $(seq 1 "$RUNS"); do
  if (( r % 2 )); then order=(jvm native); else order=(native jvm); fi
  for kind in "${order[@]}"; do
    log "run $r: $kind"
    one_kind "$kind" "$r"
  done
done

python3 "$BENCH/native_report.py" "$RES" > "$TMP/report.md"
cat "$TMP/report.md"
[ -z "$REPORT" ] || cp "$TMP/report.md" "$REPORT"
