#!/usr/bin/env bash
# Fingerprint benchmark (issue 11, part 1): what taking content fingerprints from pg_dump's stream costs.
#
#   bench/fingerprint-bench.sh [--scale N] [--extra-rows N] [--runs N] [--db-dir DIR] [--report FILE]
#
# On a throwaway server (bin/pg-local) it loads pgbench at scale N (default 30) plus a table of
# --extra-rows rows (default 2,000,000: id, text, timestamptz, numeric, boolean), VACUUM FREEZE + CHECKPOINT,
# then measures, alternating, --runs times each (default 3), and reports medians:
#
#   bare  pg_dump -Fc -Z0 > /dev/null
#   tee   pg_dump -Fc -Z0 | java FingerprintMain   (reads stdin, tees 64 KiB blocks into FingerprintSink: the
#         integration's path; wall time includes the JVM's start, ~0.3-0.5 s, which the backup pays once anyway)
#
# and, on a saved archive (page cache), the parser alone: java FingerprintMain < archive (tee and --pull), whose
# own timer excludes JVM start-up; and the per-row cost of the candidate digests (DigestCandidates).
# Needs: target/classes (./mvnw -q -o compile), PostgreSQL server binaries, pgbench, Java 17.
# Environment: BENCH_JAVA_OPTS (default -Xmx256m -XX:+UseSerialGC, as bin/invoke), BENCH_IDLE_WAIT (before each
# measured command, wait up to this many seconds for the machine to be < 25% busy; default 60), BENCH_TIMEOUT
# (whole run, default 3600 s), BENCH_TMPDIR. The report (markdown) goes to stdout, progress to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
. "$BENCH/lib.sh"
LOG_NAME=fingerprint-bench T0=$(date +%s)
SCALE=30 EXTRA=2000000 RUNS=3 DB_DIR=${BENCH_DB_DIR:-} REPORT=${BENCH_REPORT:-}
TOTAL_TIMEOUT=${BENCH_TIMEOUT:-3600} CASE_TIMEOUT=900 IDLE_WAIT=${BENCH_IDLE_WAIT:-60}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}
while [ $# -gt 0 ]; do
  case $1 in
    --scale) SCALE=$2; shift 2 ;;
    --extra-rows) EXTRA=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --db-dir) DB_DIR=$2; shift 2 ;;
    --report) REPORT=$2; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
before_pg_stop() { :; }
PG_BIN=$(newest_pg_bin pg_dump)
[ -d "$ROOT/target/classes/com/taskmaster/backup/pgarchive" ] || die "build first: ./mvnw -q -o compile"

bench_start fingerprint-bench
CLASSES=$TMP/classes
javac -d "$CLASSES" -cp "$ROOT/target/classes" "$BENCH"/fingerprint/*.java
CP="$CLASSES:$ROOT/target/classes"
start_pg
DB=fp_bench_s${SCALE}_$EXTRA
DB_URL=${ADMIN_URL%/*}/$DB
if [ "$(psql -X -At -d "$ADMIN_URL" -c "SELECT count(*) FROM pg_database WHERE datname = '$DB'")" = 0 ]; then
  log "loading pgbench scale $SCALE + $EXTRA rows into $DB"
  psql -X -q -d "$ADMIN_URL" -c "CREATE DATABASE $DB"
  "$PG_BIN/pgbench" -i -q -s "$SCALE" "$DB_URL" >/dev/null 2>&1
  psql -X -q -v ON_ERROR_STOP=1 -d "$DB_URL" -c "CREATE TABLE events AS SELECT g AS id, 'event ' || md5(g::text) AS title,
      timestamptz '2024-01-01 00:00+00' + g * interval '1 second' AS at, (g % 1000) / 7.0 AS amount, g % 3 = 0 AS done
      FROM generate_series(1, $EXTRA) g" -c "VACUUM (FREEZE, ANALYZE)" -c "CHECKPOINT"
fi
export PGTZ=UTC PGOPTIONS='-c bytea_output=hex'      # the pins the backup sets (SessionSettings)

wait_idle() {   # up to IDLE_WAIT s until the machine is < 25% busy over 2 s; prints the busy share seen
  local end=$(( $(date +%s) + IDLE_WAIT )) busy=100
  while :; do
    read -r _ u n s i w q sq st _ < /proc/stat; local t1=$((u+n+s+i+w+q+sq+st)) i1=$((i+w))
    sleep 2
    read -r _ u n s i w q sq st _ < /proc/stat; local t2=$((u+n+s+i+w+q+sq+st)) i2=$((i+w))
    busy=$(( 100 - 100 * (i2 - i1) / (t2 - t1) ))
    { [ "$busy" -lt 25 ] || [ "$(date +%s)" -ge "$end" ]; } && break
  done
  echo "$busy"
}
timed() {  # timed CMD: wall seconds of "bash -c CMD"
  local t0 t1; t0=$(date +%s.%N); run bash -c "$1" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err" >&2; die "failed: $1"; }
  t1=$(date +%s.%N); echo "$t1 - $t0" | bc
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

BARE="'$PG_BIN/pg_dump' -Fc -Z0 -d '$DB_URL' > /dev/null"
TEE="'$PG_BIN/pg_dump' -Fc -Z0 -d '$DB_URL' | java $JAVA_OPTS -cp '$CP' com.taskmaster.backup.pgarchive.FingerprintMain"
bare=() tee=() busy=() teeout=()
for r in $(seq "$RUNS"); do
  busy+=("$(wait_idle)"); bare+=("$(timed "$BARE")"); log "run $r bare ${bare[-1]} s (busy before: ${busy[-1]}%)"
  busy+=("$(wait_idle)"); tee+=("$(timed "$TEE")"); teeout+=("$(cat "$TMP/out")")
  log "run $r tee ${tee[-1]} s (busy before: ${busy[-1]}%): ${teeout[-1]}"
done
"$PG_BIN/pg_dump" -Fc -Z0 -d "$DB_URL" -f "$TMP/archive.dump"
SIZE=$(stat -c %s "$TMP/archive.dump")
parse=() pull=()
for r in $(seq "$RUNS"); do
  wait_idle >/dev/null; java $JAVA_OPTS -cp "$CP" com.taskmaster.backup.pgarchive.FingerprintMain < "$TMP/archive.dump" > "$TMP/p"
  parse+=("$(cat "$TMP/p")"); log "parser (tee): ${parse[-1]}"
  wait_idle >/dev/null; java $JAVA_OPTS -cp "$CP" com.taskmaster.backup.pgarchive.FingerprintMain --pull < "$TMP/archive.dump" > "$TMP/p"
  pull+=("$(cat "$TMP/p")"); log "parser (pull): ${pull[-1]}"
done
wait_idle >/dev/null
log "per-row costs of the candidates"
java $JAVA_OPTS -cp "$CP" com.taskmaster.backup.pgarchive.DigestCandidates > "$TMP/cand"

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
med_field() { local f=$1; shift; local v=(); for x in "$@"; do v+=("$(field "$f" "$x")"); done; median "${v[@]}"; }
B=$(median "${bare[@]}") T=$(median "${tee[@]}")
{
  echo "## Fingerprint benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  echo "Database: pgbench scale $SCALE + $EXTRA-row table; archive $(( SIZE / 1048576 )) MiB, $(field rows "${parse[0]}") rows."
  echo "Medians of $RUNS alternating runs; machine busy before each run (others' load): ${busy[*]} %."
  echo
  echo "| case | wall s (median) | runs | ratio |"
  echo "|---|---:|---|---:|"
  echo "| \`pg_dump -Fc -Z0 > /dev/null\` | $B | ${bare[*]} | 1.00 |"
  echo "| \`pg_dump -Fc -Z0 \\| java FingerprintMain\` (tee, JVM start included) | $T | ${tee[*]} | $(echo "scale=2; $T / $B" | bc) |"
  echo
  echo "Parser alone on the saved archive (own timer, JVM start excluded):"
  echo
  echo "| path | s (median) | MiB/s | rows/s | JVM CPU s |"
  echo "|---|---:|---:|---:|---:|"
  echo "| tee (FingerprintSink, parser thread) | $(med_field seconds "${parse[@]}") | $(med_field MBps "${parse[@]}") | $(med_field rowsPerSecond "${parse[@]}") | $(med_field jvmCpuSeconds "${parse[@]}") |"
  echo "| pull (ArchiveFingerprinter on this thread) | $(med_field seconds "${pull[@]}") | $(med_field MBps "${pull[@]}") | $(med_field rowsPerSecond "${pull[@]}") | $(med_field jvmCpuSeconds "${pull[@]}") |"
  echo
  echo "JVM CPU seconds (all threads, start-up included) of the tee runs piped from pg_dump: $(for x in "${teeout[@]}"; do printf '%s ' "$(field jvmCpuSeconds "$x")"; done)"
  echo
  echo "Per-row cost of candidate digests (DigestCandidates, best of 4 rounds):"
  echo
  cat "$TMP/cand"
} | tee ${REPORT:+"$REPORT"}
