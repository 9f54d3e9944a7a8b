#!/usr/bin/env bash
# Recovery benchmark: `verify` against simply reading + hashing the stored object, and `restore-test`
# against plain pg_restore of an unencrypted local dump of the same database (issue 3, item 7).
# Reuses bench/measure.py (wall, peak RSS, CPU, idle wait, disturbed runs) and bench/report.py
# (records, RSS / disturbed rules). See bench/README.md, "Recovery benchmark".
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/recovery-bench.sh [options]

  --scale N        database scale (db/taskmaster-sample.sql; 150 = ~1 GB)                  [BENCH_SCALE=150]
  --db-dir DIR     keep the database server's files in DIR and reuse a database loaded there
                   by this script or bench/backup-bench.sh --db-dir DIR (server stopped on exit,
                   data kept)                                                              [BENCH_DB_DIR]
  --report FILE    also write the markdown report to FILE                                  [BENCH_REPORT]
  -h, --help

Environment: INVOKE_JAVA_OPTS (default -Xmx256m -XX:+UseSerialGC), BENCH_TIMEOUT (whole run, s,
default 3600), BENCH_CASE_TIMEOUT (one measured command, s, default 900), BENCH_IDLE_WAIT (before
each case wait up to this many s for the machine to be idle, default 90; 0 = don't), BENCH_TMPDIR
(default $TMPDIR or /tmp; holds the repository and a plain dump of the database, ~2x its size).
The report goes to stdout, progress to stderr.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
SCALE=${BENCH_SCALE:-150}
DB_DIR=${BENCH_DB_DIR:-}
REPORT=${BENCH_REPORT:-}
TOTAL_TIMEOUT=${BENCH_TIMEOUT:-3600}
CASE_TIMEOUT=${BENCH_CASE_TIMEOUT:-900}
IDLE_WAIT=${BENCH_IDLE_WAIT:-90}
JAVA_OPTS_BASE=${INVOKE_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}
COMMAND_LINE="bench/recovery-bench.sh $*"

while [ $# -gt 0 ]; do
  case $1 in
    --scale) SCALE=${2:?--scale needs a value}; shift 2 ;;
    --scale=*) SCALE=${1#*=}; shift ;;
    --db-dir) DB_DIR=${2:?--db-dir needs a value}; shift 2 ;;
    --report) REPORT=${2:?--report needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "recovery-bench: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $SCALE =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "recovery-bench: bad scale '$SCALE'" >&2; exit 2; }

T0=$(date +%s) LOG_NAME=recovery-bench

# ---------------------------------------------------------------- prerequisites
PG_BIN=$(newest_pg_bin pg_restore)
for t in python3 java sha256sum "$PG_BIN/pg_dump" "$PG_BIN/pg_restore" "$PG_BIN/psql"; do
  command -v "$t" >/dev/null || die "$t not found"
done
[ -f "$ROOT/target/function.zip" ] || die "target/function.zip is missing: build it first (mvn -B -q -o package -DskipTests)"

# ---------------------------------------------------------------- cleanup (trap)
SCRATCH=''
before_pg_stop() {
  local db
  [ "$PG_STARTED" = 1 ] || return 0
  # the plain-restore scratch database, and any restore-test scratch database a killed run left
  if [ -n "$SCRATCH" ]; then psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)" >/dev/null 2>&1; fi
  for db in $(psqlq -d "$ADMIN_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'tmb_restore_test_%'" 2>/dev/null); do
    log "dropping leftover $db"; psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
  done
}
bench_start recovery-bench

# ---------------------------------------------------------------- database (as backup-bench.sh)
start_pg
psqlq() { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

NAME=taskmaster_s${SCALE//./_}
DB_URL=${ADMIN_URL%/*}/$NAME
MARKER=$PG_DIR/bench-loaded-$NAME
if [ -f "$MARKER" ] && [ "$(psqlq -d "$ADMIN_URL" -Atc "SELECT count(*) FROM pg_database WHERE datname = '$NAME'")" = 1 ]; then
  log "reusing database $NAME (scale $SCALE)"; REUSED=true
else
  REUSED=false
  rm -f "$MARKER"
  psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $NAME" -c "CREATE DATABASE $NAME"
  limit=$(python3 -c "print(int(max(120, 1.2 * $SCALE + 60)))")
  log "loading $NAME at scale $SCALE (db/taskmaster-sample.sql; limit ${limit}s)"
  run timeout "$limit" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -v scale="$SCALE" -d "$DB_URL" \
      -f "$ROOT/db/taskmaster-sample.sql" >"$TMP/load.log" 2>&1 \
    || { tail -20 "$TMP/load.log" >&2; die "loading scale $SCALE failed or timed out"; }
  run psqlq -d "$DB_URL" -c "VACUUM (FREEZE, ANALYZE)" -c "CHECKPOINT"
  echo "$SCALE" > "$MARKER"
fi
DB_BYTES=$(psqlq -d "$DB_URL" -Atc "SELECT pg_database_size(current_database())")
log "database $NAME: $(( DB_BYTES / 1048576 )) MB"

REPO=$TMP/repo
KEY=$TMP/local.key
# env of every handler run: file repository, local key, source database, restore-test server = same
# server's maintenance database (`postgres`)
FN_ENV=(BACKUP_REPOSITORY="file://$REPO" BACKUP_KMS_KEY="file://$KEY" BACKUP_DB_URL="$DB_URL"
        RESTORE_TEST_DB_URL="$ADMIN_URL" BACKUP_ALERT_TOPIC=stderr BACKUP_PG_BIN="$PG_BIN"
        INVOKE_TIMEOUT_SECONDS="$CASE_TIMEOUT")

cat > "$RES/meta.json" <<EOF
{"scale": $SCALE, "started": "$(date -u +%Y-%m-%dT%H:%MZ)", "cpus": $(nproc),
 "mem_gb": $(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo),
 "pg_version": "$("$PG_BIN/pg_restore" --version)", "java_version": "$(java -version 2>&1 | head -1 | tr -d '"')",
 "java_opts": "$JAVA_OPTS_BASE", "command": "$COMMAND_LINE", "database": "$NAME", "db_mb": $(( DB_BYTES / 1048576 )),
 "reused": $REUSED, "function_zip": "$(stat -c '%y' "$ROOT/target/function.zip" | cut -c1-19), $(sha256sum "$ROOT/target/function.zip" | cut -c1-12)"}
EOF

# ---------------------------------------------------------------- measured cases
# pg_case ID TITLE SHELL-COMMAND   ($1 in the command = source URL, $2 = admin URL, $3 = TMP)
pg_case() {
  local id=$1 title=$2 script=$3 rc=0
  log "$title"
  measure --stderr "$TMP/case.err" -- \
      bash -c "set -euo pipefail; export PATH='$PG_BIN':\$PATH; $script" _ "$DB_URL" "$ADMIN_URL" "$TMP" || rc=$?
  if [ "$rc" != 0 ]; then log "  FAILED (exit $rc):"; tail -5 "$TMP/case.err" >&2; fi
  python3 "$BENCH/report.py" record "$RES" --id "$id" --title "$title" --kind "${KIND:-pg}" --scale "$SCALE" --measure "$TMP/m.json"
  log "  $(python3 -c "import json; m=json.load(open('$TMP/m.json')); print(f\"{m['wall_s']:.2f} s, server CPU {m['server_cpu_s']} s, other CPU {m['other_cpu_s']} s\")")"
}

# jvm_case ID TITLE HANDLER EVENT   (result JSON kept as $RES/ID.out.json)
jvm_case() {
  local id=$1 title=$2 handler=$3 event=$4 rc=0
  log "$title"
  measure --stdout "$RES/$id.out.json" --stderr "$TMP/$id.err" -- \
      env INVOKE_JAVA_OPTS="$JAVA_OPTS_BASE" "${FN_ENV[@]}" "$ROOT/bin/invoke" "$handler" "$event" || rc=$?
  if [ "$rc" != 0 ]; then log "  FAILED (exit $rc):"; tail -15 "$TMP/$id.err" >&2; fi
  python3 "$BENCH/report.py" record "$RES" --id "$id" --title "$title" --kind jvm --scale "$SCALE" \
      --measure "$TMP/m.json" --invoke-out "$RES/$id.out.json" --java-opts "$JAVA_OPTS_BASE"
  log "  process $(python3 -c "import json; print(json.load(open('$TMP/m.json'))['wall_s'])") s; result: $(head -c 400 "$RES/$id.out.json")"
  return "$rc"
}

log "warm-up (not measured): bin/invoke list (unpacks function.zip, brings the jars into the page cache)"
run env "${FN_ENV[@]}" "$ROOT/bin/invoke" list >/dev/null 2>"$TMP/warm.err" \
  || { tail -20 "$TMP/warm.err" >&2; die "bin/invoke list failed"; }

# 0. one backup (measured only to know the JVM's start-up + exit: process wall - durationMs)
jvm_case backup 'backup → file repository, local key' backup '{}' || die "the backup failed"
BACKUP_ID=$(python3 -c "import json; print(json.load(open('$RES/backup.out.json'))['backupId'])")
OBJECT=$(python3 -c "import json,urllib.parse; print(urllib.parse.urlparse(json.load(open('$RES/backup.out.json'))['location']).path)")
[ -f "$OBJECT" ] || die "stored data object $OBJECT not found"
log "backup $BACKUP_ID: $OBJECT ($(( $(stat -c %s "$OBJECT") / 1048576 )) MB)"

# 1. verify against plain read + hash of the same stored object (page cache warm: the backup just wrote it)
KIND=ref pg_case cat  'ref: cat <stored object> > /dev/null' "cat '$OBJECT' > /dev/null"
KIND=ref pg_case sha  'ref: sha256sum <stored object>' "sha256sum '$OBJECT' > /dev/null"
jvm_case verify 'verify {"backupId"}' verify "{\"backupId\": \"$BACKUP_ID\"}" || true

# 2. restore-test against plain pg_restore of an unencrypted local dump
log "pg_dump -Fc -Z0 of $NAME (not measured)"
run "$PG_BIN/pg_dump" -Fc -Z0 -f "$TMP/plain.dump" -d "$DB_URL" || die "pg_dump failed"
log "plain.dump: $(( $(stat -c %s "$TMP/plain.dump") / 1048576 )) MB"
SCRATCH=bench_plain_restore
restore_case() {  # ID TITLE PG_RESTORE-OPTIONS
  psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)"
  pg_case "$1" "$2" "createdb --maintenance-db=\"\$2\" $SCRATCH && pg_restore --no-owner --no-acl $3 -d \"\${2%/*}/$SCRATCH\" \"\$3/plain.dump\""
  psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)"
}
restore_case plain1 'createdb + pg_restore -j1 plain.dump' ''
# where pg_restore's time goes: the same single-job restore, section by section (schema / COPY / indexes+constraints)
psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)"
KIND=ref pg_case sections 'ref: pg_restore -j1 by section (pre-data, data, post-data)' \
  "createdb --maintenance-db=\"\$2\" $SCRATCH; for s in pre-data data post-data; do t=\$(date +%s.%N);
   pg_restore --no-owner --no-acl --section=\$s -d \"\${2%/*}/$SCRATCH\" \"\$3/plain.dump\";
   echo \"\$s \$t \$(date +%s.%N)\" >> \"\$3/sections.txt\"; done"
psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)"
KIND=ref restore_case plain1tx 'ref: createdb + pg_restore -j1 --single-transaction plain.dump' '--single-transaction'
KIND=ref restore_case plain2 'ref: createdb + pg_restore -j2 plain.dump' '-j2'
SCRATCH=
rm -f "$TMP/plain.dump"
jvm_case restoretest 'restore-test {"backupId"}' restore-test "{\"backupId\": \"$BACKUP_ID\"}" || true
[ -f "$TMP/sections.txt" ] && cp "$TMP/sections.txt" "$RES/sections.txt"

# ---------------------------------------------------------------- report
log "done in $(( $(date +%s) - T0 ))s"
render() {
python3 - "$RES" "$BENCH" <<'PY'
import json, os, sys
sys.path.insert(0, sys.argv[2])
from report import load, ok, peak_rss, disturbed, f1, MB
d = sys.argv[1]
meta, recs = load(d)
R = {r["id"]: r for r in recs}
def out(i):
    try:
        return json.load(open(os.path.join(d, f"{i}.out.json")))
    except Exception:
        return {}
bk, vf, rt = out("backup"), out("verify"), out("restoretest")
stored, plain = bk.get("storedBytes"), bk.get("plainBytes")
startup = None  # JVM start-up + exit, from the backup: process wall - handler durationMs
if "backup" in R and ok(R["backup"]) and bk.get("durationMs") is not None:
    startup = R["backup"]["measure"]["wall_s"] - bk["durationMs"] / 1000
def w(i):
    return R[i]["measure"]["wall_s"] if i in R else None
def mbps(nbytes, s):
    return f"{nbytes / MB / s:.0f}" if nbytes and s else "–"
def rx(a, b):
    return f"{a / b:.2f}×" if a and b else "–"
def dag(i):
    return " †" if i in R and disturbed(R[i]) else ""
def rss(i):
    return f1(peak_rss(R[i]), 0) if i in R else "–"
def failed(i):
    return "" if i in R and ok(R[i]) else " **FAILED**"
def srv(i):
    return f"server CPU {R[i]['measure'].get('server_cpu_s')} s" if i in R else ""
def jhwm(i, comm):
    p = R[i]["measure"]["procs"].get(comm, {}) if i in R else {}
    return f"{comm} VmHWM {p['hwm_mb']:.0f} MB" if p.get("hwm_mb") is not None else ""
chk = (vf.get("checked") or [{}])[0]
v_ms = chk.get("durationMs")
v_s = v_ms / 1000 if v_ms is not None else None
sha_s, cat_s = w("sha"), w("cat")
p1 = w("plain1")
rt_s = rt.get("restoreMs") / 1000 if rt.get("restoreMs") is not None else None
L = [f"## Recovery benchmark, scale {meta['scale']} ({meta['started']})", "",
     f"Machine: {meta['cpus']} CPUs, {meta['mem_gb']} GB RAM; {meta['pg_version']}; {meta['java_version']}; "
     f"JVM options `{meta['java_opts']}`. Database `{meta['database']}` ({meta['db_mb']} MB, "
     + ("reused" if meta["reused"] else "loaded") + f"). Command: `{meta['command']}`; target/function.zip of "
     f"{meta['function_zip']} (mtime, sha256).", "",
     f"Backup `{bk.get('backupId')}`: stored {f1(stored and stored / MB)} MB, plain (pg_dump -Fc -Z0) "
     f"{f1(plain and plain / MB)} MB; JVM start-up + exit (backup process wall − durationMs): {f1(startup, 2)} s.", "",
     "| case | wall s | ratio | peak RSS MB | notes |", "|---|---:|---:|---:|---|",
     f"| `cat` stored object > /dev/null | {f1(cat_s, 2)}{dag('cat')} | – | {rss('cat')} | {mbps(stored, cat_s)} MB/s stored{failed('cat')} |",
     f"| `sha256sum` stored object | {f1(sha_s, 2)}{dag('sha')} | 1.00× | {rss('sha')} | {mbps(stored, sha_s)} MB/s stored (the plain-read + hash reference){failed('sha')} |",
     f"| verify: handler (checked[0].durationMs) | {f1(v_s, 2)}{dag('verify')} | {rx(v_s, sha_s)} | {rss('verify')} | "
     f"{mbps(stored, v_s)} MB/s stored, {mbps(plain, v_s)} MB/s plain; outcome {chk.get('outcome')}; {jhwm('verify', 'pg_restore')}{failed('verify')} |",
     f"| verify: whole process (bin/invoke) | {f1(w('verify'), 2)}{dag('verify')} | {rx(w('verify'), sha_s)} | {rss('verify')} | "
     f"incl. JVM start-up + exit; {srv('verify')} |",
     f"| createdb + `pg_restore -j1` plain.dump | {f1(p1, 2)}{dag('plain1')} | 1.00× | {rss('plain1')} | "
     f"{mbps(plain, p1)} MB/s plain; {srv('plain1')}{failed('plain1')} |",
     f"| ref: same, `--single-transaction` | {f1(w('plain1tx'), 2)}{dag('plain1tx')} | {rx(w('plain1tx'), p1)} | {rss('plain1tx')} | {srv('plain1tx')}{failed('plain1tx')} |",
     f"| ref: same, `-j2` | {f1(w('plain2'), 2)}{dag('plain2')} | {rx(w('plain2'), p1)} | {rss('plain2')} | {srv('plain2')}{failed('plain2')} |"]
sec = []
try:
    for line in open(os.path.join(d, "sections.txt")):
        s, a, b = line.split()
        sec.append(f"{s} {float(b) - float(a):.1f} s")
except OSError:
    pass
L.append(f"| ref: `-j1` by section | {f1(w('sections'), 2)}{dag('sections')} | {rx(w('sections'), p1)} | {rss('sections')} | {', '.join(sec)}{failed('sections')} |")
L += [f"| restore-test: restoreMs | {f1(rt_s, 2)}{dag('restoretest')} | {rx(rt_s, p1)} | {rss('restoretest')} | "
      f"outcome {rt.get('outcome')}, {rt.get('tablesRestored')} tables, fingerprints equal {rt.get('fingerprintsEqual')}, "
      f"{f1(rt.get('throughputMiBps'))} MiB/s (handler's figure); {jhwm('restoretest', 'pg_restore')}{failed('restoretest')} |",
      f"| restore-test: whole handler (process − start-up) | {f1(w('restoretest') and startup is not None and w('restoretest') - startup, 2)} | "
      f"{rx(w('restoretest') and startup is not None and w('restoretest') - startup, p1)} | {rss('restoretest')} | "
      f"restore + row counts + report; scratch dropped {rt.get('scratchDropped')} |",
      f"| restore-test: whole process (bin/invoke) | {f1(w('restoretest'), 2)}{dag('restoretest')} | {rx(w('restoretest'), p1)} | {rss('restoretest')} | {srv('restoretest')} |",
      "", "### Targets", "",
      "| target | measured | verdict |", "|---|---:|---|"]
if rt_s and p1 and "plain1" in R and ok(R["plain1"]):
    L.append(f"| restore-test restoreMs within 1.2× of plain `pg_restore -j1` | {rt_s / p1:.2f}× | "
             f"{'PASS' if rt_s <= 1.2 * p1 else 'FAIL'}{' (disturbed run)' if disturbed(R['plain1']) or disturbed(R.get('restoretest', R['plain1'])) else ''} |")
else:
    L.append("| restore-test restoreMs within 1.2× of plain `pg_restore -j1` | – | FAIL (a case failed) |")
L += ["", "wall s: process wall time unless the case says handler; ratio: verify rows against `sha256sum`, restore rows",
      "against `createdb + pg_restore -j1`; peak RSS: JVM rows = the java process' VmHWM, others = peak summed RSS of",
      "the command's processes; MB = 2^20 bytes; † = disturbed (other processes used > 15% of the machine's CPU).", "",
      "other CPU s (the rest of the machine) / server CPU s per case: "
      + ", ".join(f"{r['id']} {r['measure'].get('other_cpu_s')}/{r['measure'].get('server_cpu_s')}" for r in recs)]
print("\n".join(L))
PY
}
if [ -n "$REPORT" ]; then render | tee "$REPORT"; else render; fi
