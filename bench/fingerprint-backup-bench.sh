#!/usr/bin/env bash
# Content fingerprints taken from pg_dump's stream (issue 11, item 9): the backup's wall time against bare
# `pg_dump -Fc -Z0 > /dev/null` (medians of alternating runs), and the database's read work during one backup,
# with this tree's function.zip and, optionally, with one built from before the change (the count(*) pass).
#
#   bench/fingerprint-backup-bench.sh [--scale N] [--rounds R] [--before DIR] [--db-dir DIR]
#
#   --scale N    db/taskmaster-sample.sql scale (default 150, ~1 GB; the backup benchmark's database)
#   --rounds R   alternating rounds of bare pg_dump and backup (default 3)
#   --before DIR a source tree of another version (e.g. `git archive a1f6e75 | tar -x -C DIR`) whose
#                target/function.zip is built: its backups run in the same rounds (the two trees alternate which
#                runs first), and its backup's read work is measured too
#   --db-dir DIR keep the loaded database in DIR for the next run
#
# Read work: pg_stat_database (blks_read + blks_hit = blocks the database read, from disk or its cache;
# tup_returned) and pg_statio_user_tables (heap + TOAST blocks of the tables) of the benchmark database, before and
# after one backup, after the statistics are flushed (PostgreSQL 15 flushes them at most once a second and at
# backend exit: 2 s are waited). The markdown table goes to stdout, progress to stderr. BENCH_IDLE_WAIT=S: before each
# measured command wait up to S seconds for the machine to be idle (default 0; bench/lib.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
LOG_NAME=fp-bench T0=$(date +%s)
SCALE=${BENCH_SCALE:-150} ROUNDS=3 BEFORE='' DB_DIR=${BENCH_DB_DIR:-}
TOTAL_TIMEOUT=${BENCH_TIMEOUT:-3600} CASE_TIMEOUT=900 IDLE_WAIT=${BENCH_IDLE_WAIT:-0}
JAVA_OPTS=${INVOKE_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}
while [ $# -gt 0 ]; do
  case $1 in
    --scale) SCALE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --before) BEFORE=$(realpath "$2"); shift 2 ;;
    --db-dir) DB_DIR=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
before_pg_stop() { :; }
PG_BIN=$(newest_pg_bin pg_dump)
[ -f "$ROOT/target/function.zip" ] || die "build target/function.zip first (./mvnw -B -q package -DskipTests)"
[ -z "$BEFORE" ] || [ -f "$BEFORE/target/function.zip" ] || die "$BEFORE/target/function.zip is missing"
bench_start fp-bench
start_pg
psqlq() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

NAME=taskmaster_s${SCALE//./_}
DB_URL=${ADMIN_URL%/*}/$NAME
MARKER=$PG_DIR/bench-loaded-$NAME
if [ -f "$MARKER" ]; then
  log "reusing database $NAME"
else
  psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $NAME" -c "CREATE DATABASE $NAME"
  log "loading $NAME at scale $SCALE"
  run "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -v scale="$SCALE" -d "$DB_URL" -f "$ROOT/db/taskmaster-sample.sql" \
      >"$TMP/load.log" 2>&1 || { tail -20 "$TMP/load.log" >&2; die "loading failed"; }
  run psqlq -d "$DB_URL" -c "VACUUM (FREEZE, ANALYZE)" -c "CHECKPOINT"
  echo "$SCALE" > "$MARKER"
fi
DB_MB=$(psqlq -d "$DB_URL" -Atc "SELECT pg_database_size(current_database()) / 1048576")
log "database $NAME: $DB_MB MB"

# backup TREE TAG: one backup with TREE's function.zip into a fresh file repository; prints durationMs, wall ms and the
# java process's CPU ms (user + system from /proc/<pid>/stat, sampled every 100 ms until it exits; JVM start included)
backup() {
  local tree=$1 tag=$2 t0 t1 pid='' stat='' s
  rm -rf "$TMP/repo-$tag"
  t0=$(date +%s%N)
  env BACKUP_DB_URL="$DB_URL" BACKUP_REPOSITORY="file://$TMP/repo-$tag" BACKUP_KMS_KEY="file://$TMP/local.key" \
      BACKUP_ALERT_TOPIC=stderr BACKUP_PG_BIN="$PG_BIN" INVOKE_JAVA_OPTS="$JAVA_OPTS -Dfpbench.tag=$tag.$$" \
      "$tree/bin/invoke" backup '{}' >"$TMP/$tag.json" 2>"$TMP/$tag.err" & CHILD=$!
  while kill -0 "$CHILD" 2>/dev/null; do
    [ -n "$pid" ] || pid=$(pgrep -f "^([^ ]*/)?java .*-Dfpbench.tag=$tag.$$ " | head -1 || true)
    if [ -n "$pid" ]; then s=$(cat "/proc/$pid/stat" 2>/dev/null || true); [ -z "$s" ] || stat=$s; fi
    sleep 0.1
  done
  wait "$CHILD" || { CHILD=; tail -20 "$TMP/$tag.err" >&2; die "backup ($tag) failed"; }
  CHILD=
  t1=$(date +%s%N)
  python3 -c "
import json, os, sys
st = sys.argv[1].rsplit(')', 1)[1].split() if sys.argv[1] else None
cpu = (int(st[11]) + int(st[12])) * 1000 // os.sysconf('SC_CLK_TCK') if st else -1
print(json.load(open('$TMP/$tag.json'))['durationMs'], ($t1 - $t0) // 1000000, cpu)" "$stat"
  grep -o 'set-up [0-9]* ms.*' "$TMP/$tag.err" >&2 || true
}
bare() {
  local t0 t1
  t0=$(date +%s%N)
  run env -u PGOPTIONS "$PG_BIN/pg_dump" -Fc -Z0 -d "$DB_URL" > /dev/null
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
COUNTERS_SQL="SELECT d.blks_read, d.blks_hit, d.tup_returned,
  (SELECT sum(coalesce(heap_blks_read,0) + coalesce(heap_blks_hit,0) + coalesce(toast_blks_read,0) + coalesce(toast_blks_hit,0))
     FROM pg_statio_user_tables)
  FROM pg_stat_database d WHERE d.datname = current_database()"
counters() { sleep 2; psqlq -d "$DB_URL" -Atc "SELECT pg_stat_clear_snapshot()" -c "$COUNTERS_SQL" | tail -1; }
# reads CMD...: the counters' increase while CMD runs, as "blocks tuples table_blocks"
reads() {
  local a b
  a=$(counters)
  "$@" > /dev/null
  b=$(counters)
  python3 -c "
a = [int(x) for x in '$a'.split('|')]; b = [int(x) for x in '$b'.split('|')]
print(b[0] + b[1] - a[0] - a[1], b[2] - a[2], b[3] - a[3])"
}

# idle: with BENCH_IDLE_WAIT, waits up to that long for the machine to be idle (bench/measure.py's rule); logs the wait
idle() {
  [ "$IDLE_WAIT" -gt 0 ] || return 0
  log "idle wait: $(python3 -c "import sys; sys.path.insert(0, '$BENCH'); import measure; w, ok = measure.wait_idle($IDLE_WAIT); print(f'{w} s, idle reached: {ok}')"); load $(cut -d' ' -f1-3 /proc/loadavg)"
}

log "warm-up (not measured): one bare dump, one backup"
bare > /dev/null
backup "$ROOT" warm > /dev/null
[ -z "$BEFORE" ] || backup "$BEFORE" warm-before > /dev/null
BARE=() DUR=() WALL=() CPU=() BDUR=() BWALL=() BCPU=()
for r in $(seq 1 "$ROUNDS"); do
  idle; b=$(bare); BARE+=("$b")
  # with --before, the two trees alternate which one runs first
  if [ -n "$BEFORE" ] && [ $((r % 2)) -eq 0 ]; then
    idle; read -r bd bw bc < <(backup "$BEFORE" "b$r"); BDUR+=("$bd"); BWALL+=("$bw"); BCPU+=("$bc")
  fi
  idle; read -r d w c < <(backup "$ROOT" "r$r"); DUR+=("$d"); WALL+=("$w"); CPU+=("$c")
  if [ -n "$BEFORE" ] && [ $((r % 2)) -eq 1 ]; then
    idle; read -r bd bw bc < <(backup "$BEFORE" "b$r"); BDUR+=("$bd"); BWALL+=("$bw"); BCPU+=("$bc")
  fi
  log "round $r: bare pg_dump ${b} ms; backup ${d} ms (handler), ${w} ms (process), java CPU ${c} ms${BEFORE:+; before: ${bd} ms, ${bw} ms, java CPU ${bc} ms}"
done
READ_BARE=$(reads bare)
READ_AFTER=$(reads backup "$ROOT" reads-after)
READ_BEFORE=''
[ -z "$BEFORE" ] || READ_BEFORE=$(reads backup "$BEFORE" reads-before)
python3 - "$SCALE" "$DB_MB" "${BARE[*]}" "${DUR[*]}" "${WALL[*]}" "$READ_BARE" "$READ_AFTER" "$READ_BEFORE" "${CPU[*]}" \
    "${BDUR[*]}" "${BWALL[*]}" "${BCPU[*]}" <<'PY'
import statistics, sys
scale, db_mb, bare, dur, wall, rb, ra, rbefore, cpu, bdur, bwall, bcpu = sys.argv[1:13]
ints = lambda v: [int(x) for x in v.split()]
bare, dur, wall, cpu, bdur, bwall, bcpu = map(ints, (bare, dur, wall, cpu, bdur, bwall, bcpu))
mb = statistics.median(bare)
print(f"Database: taskmaster sample, scale {scale} ({db_mb} MB). {len(bare)} alternating rounds, medians. java CPU: the "
      "java process's user + system time (JVM start included).\n")
def table(label, dur, wall, cpu):
    print(f"{label}\n")
    print("| run | bare `pg_dump -Fc -Z0 > /dev/null` | backup (handler `durationMs`) | backup ÷ bare | backup process (JVM start included) | java CPU |")
    print("|---|---:|---:|---:|---:|---:|")
    for i, (b, d, w, c) in enumerate(zip(bare, dur, wall, cpu), 1):
        print(f"| {i} | {b/1000:.2f} s | {d/1000:.2f} s | {d/b:.2f}× | {w/1000:.2f} s | {c/1000:.2f} s |")
    md, mw, mc = statistics.median(dur), statistics.median(wall), statistics.median(cpu)
    print(f"| **median** | **{mb/1000:.2f} s** | **{md/1000:.2f} s** | **{md/mb:.2f}×** | {mw/1000:.2f} s | {mc/1000:.2f} s |\n")
table("This tree:", dur, wall, cpu)
if bdur:
    table("The tree before (`--before`), in the same rounds:", bdur, bwall, bcpu)
print("| read work during | blocks read (pg_stat_database blks_read + blks_hit) | tuples returned | table heap + TOAST blocks (pg_statio_user_tables) |")
print("|---|---:|---:|---:|")
rows = [("bare pg_dump", rb), ("backup, this tree", ra)]
if rbefore:
    rows.insert(1, ("backup, the `--before` tree", rbefore))
for name, r in rows:
    blk, tup, tbl = (int(x) for x in r.split())
    print(f"| {name} | {blk:,} | {tup:,} | {tbl:,} |")
PY
