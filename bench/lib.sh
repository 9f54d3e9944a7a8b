# Plumbing shared by bench/backup-bench.sh and bench/recovery-bench.sh; sourced, not run.
#
# The script sets, before calling these: LOG_NAME and T0 (for log), ROOT, BENCH, PG_BIN, DB_DIR,
# TOTAL_TIMEOUT, CASE_TIMEOUT, IDLE_WAIT; and it defines before_pg_stop, which cleanup calls after
# stopping the measured command and before stopping the database server. Variables set here for the
# script: TMP, RES, CHILD, WATCHDOG, PG_DIR, PG_STARTED, ADMIN_URL, POSTMASTER.
# shellcheck shell=bash disable=SC2154,SC2034

log() { printf '[%s %4ds] %s\n' "$LOG_NAME" $(( $(date +%s) - T0 )) "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# newest_pg_bin TOOL: the newest /usr/lib/postgresql/*/bin with TOOL (as the function and bin/pg-local
# pick it), else the directory of TOOL on the PATH
newest_pg_bin() {
  local d best=
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/$1" ] || continue
    if [ -z "$best" ] || [ "$(basename "$(dirname "$d")")" -gt "$(basename "$(dirname "$best")")" ] 2>/dev/null; then
      best=$d
    fi
  done
  [ -n "$best" ] || best=$(dirname "$(command -v "$1")")
  echo "$best"
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [ -n "$CHILD" ]; then kill -TERM "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null; fi
  before_pg_stop
  if [ "$PG_STARTED" = 1 ]; then
    if [ -n "$DB_DIR" ]; then   # keep the data for the next run
      "$ROOT/bin/pg-local" halt "$PG_DIR" >/dev/null 2>&1
      log "database server stopped; its data is kept in $PG_DIR"
    else
      "$ROOT/bin/pg-local" stop "$PG_DIR" >/dev/null 2>&1
    fi
  fi
  if [ -n "$WATCHDOG" ]; then kill -TERM "$WATCHDOG" 2>/dev/null; wait "$WATCHDOG" 2>/dev/null; fi
  rm -rf "$TMP"
  log "cleaned up (exit status $rc)"
  exit "$rc"
}

# bench_start NAME: the temporary directory TMP (NAME.XXXXXX) with RES=$TMP/results, the cleanup trap
# and the overall time limit
bench_start() {
  TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/$1.XXXXXX")
  CHILD='' WATCHDOG='' PG_DIR='' PG_STARTED=0
  trap cleanup EXIT
  trap 'log "interrupted"; exit 130' INT
  trap 'log "terminated (overall limit BENCH_TIMEOUT=${TOTAL_TIMEOUT}s reached, or killed)"; exit 143' TERM
  # Overall time limit: TERM ourselves; the trap stops whatever runs and cleans up.
  ( trap 'kill "$s" 2>/dev/null; exit 0' TERM; sleep "$TOTAL_TIMEOUT" & s=$!; wait "$s"; kill -TERM $$ ) &
  WATCHDOG=$!
  RES=$TMP/results
  mkdir -p "$RES"
}

# Runs "$@" in the background and waits, so that a signal reaches our traps at once.
run() {
  "$@" & CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=
  return "$rc"
}

remaining() { echo $(( TOTAL_TIMEOUT - ($(date +%s) - T0) )); }

timeout_for_case() {
  local r; r=$(( $(remaining) - 30 - IDLE_WAIT ))
  (( r > 60 )) || die "overall time limit nearly reached (BENCH_TIMEOUT=$TOTAL_TIMEOUT)"
  echo $(( r < CASE_TIMEOUT ? r : CASE_TIMEOUT ))
}

# start_pg: bin/pg-local start in DB_DIR (kept) or $TMP/pg; sets PG_DIR, ADMIN_URL, POSTMASTER
start_pg() {
  if [ -n "$DB_DIR" ]; then PG_DIR=$(realpath -m "$DB_DIR"); else PG_DIR=$TMP/pg; fi
  log "starting PostgreSQL in $PG_DIR"
  ADMIN_URL=$("$ROOT/bin/pg-local" start "$PG_DIR" 2>"$TMP/pg-local.log") || { cat "$TMP/pg-local.log" >&2; die "bin/pg-local start failed"; }
  PG_STARTED=1
  POSTMASTER=$(head -1 "$PG_DIR/data/postmaster.pid")
}

# measure MEASURE.PY-OPTIONS -- COMMAND...: run bench/measure.py into $TMP/m.json, after the idle wait,
# within the case's time limit, watching the database server
measure() {
  run python3 "$BENCH/measure.py" --out "$TMP/m.json" --timeout "$(timeout_for_case)" --server-pid "$POSTMASTER" \
      --wait-idle "$IDLE_WAIT" "$@"
}
