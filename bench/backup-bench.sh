#!/usr/bin/env bash
# Backup benchmark: this project's backup (pg_dump -Fc -Z0 -> zstd 2 -> Encryption SDK -> SHA-256 ->
# repository) against bare pg_dump and the classic `pg_dump | gzip`, on a generated ~1 GB database.
# See bench/README.md for what is measured and how to read the report.
# The cases' shell commands are single-quoted on purpose: bash -c expands their "$1" and "$2".
# shellcheck disable=SC2016
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/backup-bench.sh [options]

  --scale N        database scale (db/taskmaster-sample.sql; 150 = ~1 GB of table data)   [BENCH_SCALE=150]
  --double         also load scale 2N and re-measure bare pg_dump and our backups, to check
                   that memory stays flat                                                [BENCH_DOUBLE=1]
  --jvm-variants   also run the file-repository backup with other JVM options
                   (list: BENCH_JVM_VARIANTS, ';'-separated, each appended to INVOKE_JAVA_OPTS)
  --accp JAR       also run the file-repository backup with Amazon Corretto Crypto Provider
                   (native AES-GCM and SHA-256) installed first, through JVM options only
                   (--module-path JAR + a java.security override), with and without
                   -XX:TieredStopAtLevel=1; JAR = AmazonCorrettoCryptoProvider-*-linux-x86_64.jar [BENCH_ACCP_JAR]
  --no-s3          skip the moto S3 + KMS case                                           [BENCH_S3=0]
  --db-dir DIR     keep the database server's files in DIR and reuse them next time (the
                   server is stopped on exit, its data kept; delete with bin/pg-local stop DIR
                   after starting it again, or rm -rf)                                    [BENCH_DB_DIR]
  --report FILE    also write the markdown report to FILE                                [BENCH_REPORT]
  -h, --help

Environment: INVOKE_JAVA_OPTS (default -Xmx256m -XX:+UseSerialGC), BENCH_TIMEOUT (whole run, s,
default 3600), BENCH_CASE_TIMEOUT (one measured command, s, default 900), BENCH_IDLE_WAIT (before
each case, wait up to this many s for the machine to be idle, default 90; 0 = don't),
BENCH_TMPDIR (default $TMPDIR or /tmp). The report goes to stdout, progress to stderr.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
SCALE=${BENCH_SCALE:-150}
DOUBLE=${BENCH_DOUBLE:-0}
S3=${BENCH_S3:-1}
DB_DIR=${BENCH_DB_DIR:-}
REPORT=${BENCH_REPORT:-}
JVM_VARIANTS=${BENCH_JVM_VARIANTS:-}
ACCP_JAR=${BENCH_ACCP_JAR:-}
DEFAULT_VARIANTS='-XX:TieredStopAtLevel=1;-XX:CompileThresholdScaling=0.1;-XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.1;-XX:+UseParallelGC'
TOTAL_TIMEOUT=${BENCH_TIMEOUT:-3600}
CASE_TIMEOUT=${BENCH_CASE_TIMEOUT:-900}
IDLE_WAIT=${BENCH_IDLE_WAIT:-90}
JAVA_OPTS_BASE=${INVOKE_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}
COMMAND_LINE="bench/backup-bench.sh $*"

while [ $# -gt 0 ]; do
  case $1 in
    --scale) SCALE=${2:?--scale needs a value}; shift 2 ;;
    --scale=*) SCALE=${1#*=}; shift ;;
    --double) DOUBLE=1; shift ;;
    --jvm-variants) JVM_VARIANTS=${JVM_VARIANTS:-$DEFAULT_VARIANTS}; shift ;;
    --accp) ACCP_JAR=${2:?--accp needs a jar}; shift 2 ;;
    --no-s3) S3=0; shift ;;
    --db-dir) DB_DIR=${2:?--db-dir needs a value}; shift 2 ;;
    --report) REPORT=${2:?--report needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "backup-bench: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $SCALE =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "backup-bench: bad scale '$SCALE'" >&2; exit 2; }

T0=$(date +%s) LOG_NAME=bench

# ---------------------------------------------------------------- prerequisites
PG_BIN=$(newest_pg_bin pg_dump)
for t in python3 java gzip zstd "$PG_BIN/pg_dump" "$PG_BIN/psql"; do
  command -v "$t" >/dev/null || die "$t not found"
done
if [ "$S3" = 1 ]; then
  for t in moto_server aws; do command -v "$t" >/dev/null || die "$t not found (or use --no-s3)"; done
fi
if [ -n "$ACCP_JAR" ]; then
  ACCP_JAR=$(realpath "$ACCP_JAR")
  [ -f "$ACCP_JAR" ] || die "--accp: $ACCP_JAR not found"
fi
[ -f "$ROOT/target/function.zip" ] || die "target/function.zip is missing: build it first (mvn -B -q -o package -DskipTests)"

# ---------------------------------------------------------------- cleanup (trap)
MOTO_PID=''
before_pg_stop() {
  if [ -n "$MOTO_PID" ]; then kill -TERM "$MOTO_PID" 2>/dev/null; wait "$MOTO_PID" 2>/dev/null; fi
}
bench_start backup-bench

# ---------------------------------------------------------------- database
start_pg
psqlq() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

DATABASES_JSON=
# ensure_db SCALE: loads (or reuses) database taskmaster_s<SCALE>; sets DB_URL
ensure_db() {
  local scale=$1 name reused=false load_s=0 t
  name=taskmaster_s${scale//./_}
  DB_URL=${ADMIN_URL%/*}/$name
  local marker=$PG_DIR/bench-loaded-$name
  if [ -f "$marker" ] && [ "$(psqlq -d "$ADMIN_URL" -Atc "SELECT count(*) FROM pg_database WHERE datname = '$name'")" = 1 ]; then
    log "reusing database $name (scale $scale)"
    reused=true
  else
    rm -f "$marker"
    psqlq -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
    # ~0.4 s per unit of scale on 2 cores; allow 3x, at least 2 minutes
    local limit
    limit=$(python3 -c "print(int(max(120, 1.2 * $scale + 60)))")
    (( limit < $(remaining) )) || die "not enough time left to load scale $scale (needs up to ${limit}s)"
    log "loading $name at scale $scale (db/taskmaster-sample.sql; limit ${limit}s)"
    t=$(date +%s.%N)
    run timeout "$limit" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -v scale="$scale" -d "$DB_URL" \
        -f "$ROOT/db/taskmaster-sample.sql" >"$TMP/load-$name.log" 2>&1 \
      || { tail -20 "$TMP/load-$name.log" >&2; die "loading scale $scale failed or timed out"; }
    load_s=$(python3 -c "import time; print(round(time.time() - $t, 1))")
    log "loaded in ${load_s}s; VACUUM (FREEZE, ANALYZE) + CHECKPOINT so that no dump pays for hint bits"
    run psqlq -d "$DB_URL" -c "VACUUM (FREEZE, ANALYZE)" -c "CHECKPOINT"
    echo "$scale" > "$marker"
  fi
  local sizes
  sizes=$(psqlq -d "$DB_URL" -Atc "SELECT pg_database_size(current_database()),
            (SELECT sum(pg_table_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema'))")
  local db_bytes=${sizes%%|*} table_bytes=${sizes##*|}
  log "database $name: $(( table_bytes / 1048576 )) MB of table data, $(( db_bytes / 1048576 )) MB in all"
  DATABASES_JSON+="${DATABASES_JSON:+,}{\"name\":\"$name\",\"scale\":$scale,\"table_mb\":$(( table_bytes / 1048576 )),\"db_mb\":$(( db_bytes / 1048576 )),\"reused\":$reused,\"load_s\":$load_s}"
}

# ---------------------------------------------------------------- moto (S3 + KMS)
BUCKET=taskmaster-bench
start_moto() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  log "starting moto_server on 127.0.0.1:$port"
  moto_server -H 127.0.0.1 -p "$port" >"$TMP/moto.log" 2>&1 &
  MOTO_PID=$!
  MOTO_URL=http://127.0.0.1:$port
  for _ in $(seq 1 100); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen('$MOTO_URL/moto-api/', timeout=1)" 2>/dev/null && break
    kill -0 "$MOTO_PID" 2>/dev/null || { cat "$TMP/moto.log" >&2; die "moto_server exited"; }
    sleep 0.2
  done
  export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  aws --endpoint-url "$MOTO_URL" s3 mb "s3://$BUCKET" >/dev/null || die "cannot create the moto bucket"
  KMS_ARN=$(aws --endpoint-url "$MOTO_URL" kms create-key --description taskmaster-bench \
              --query KeyMetadata.Arn --output text) || die "cannot create the moto KMS key"
  log "moto: bucket s3://$BUCKET, KMS key $KMS_ARN"
}

# ---------------------------------------------------------------- measured cases
# pg_case GROUP SCALE ID TITLE OUTFILE SHELL-COMMAND  ($1 in the command = database URL, $2 = output file)
pg_case() {
  local group=$1 scale=$2 id=$3 title=$4 out=$5 script=$6 rc=0 bytes=
  log "[$group scale $scale] $title"
  measure ${MOTO_PID:+--watch moto="$MOTO_PID"} --stderr "$TMP/case.err" -- \
      bash -c "set -euo pipefail; export PATH='$PG_BIN':\$PATH; $script" _ "$DB_URL" "$out" || rc=$?
  if [ "$rc" != 0 ]; then log "  FAILED (exit $rc):"; tail -5 "$TMP/case.err" >&2; fi
  [ "$out" != /dev/null ] && [ -f "$out" ] && bytes=$(stat -c %s "$out")
  python3 "$BENCH/report.py" record "$RES" --id "$id" --title "$title" --kind "${KIND:-pg}" --group "$group" \
      --scale "$scale" --measure "$TMP/m.json" ${bytes:+--output-bytes "$bytes"}
  log "  $(python3 -c "import json; m=json.load(open('$TMP/m.json')); print(f\"{m['wall_s']:.2f} s, tree RSS peak {m['tree_rss_peak_mb']} MB, server CPU {m['server_cpu_s']} s, other CPU {m['other_cpu_s']} s\")")${bytes:+, $(( bytes / 1048576 )) MB}"
  [ "$out" != /dev/null ] && rm -f "$out"
  return 0
}

# jvm_case GROUP SCALE ID TITLE REPO JAVA_OPTS [ENV...]
jvm_case() {
  local group=$1 scale=$2 id=$3 title=$4 repo=$5 opts=$6 rc=0
  shift 6
  log "[$group scale $scale] $title (INVOKE_JAVA_OPTS=$opts)"
  measure ${MOTO_PID:+--watch moto="$MOTO_PID"} --stdout "$TMP/invoke.json" --stderr "$TMP/invoke.err" -- \
      env INVOKE_JAVA_OPTS="$opts" INVOKE_TIMEOUT_SECONDS="$CASE_TIMEOUT" BACKUP_DB_URL="$DB_URL" \
          BACKUP_REPOSITORY="$repo" BACKUP_ALERT_TOPIC=stderr BACKUP_PG_BIN="$PG_BIN" "$@" \
          "$ROOT/bin/invoke" backup '{}' || rc=$?
  if [ "$rc" != 0 ]; then log "  FAILED (exit $rc):"; tail -15 "$TMP/invoke.err" >&2; fi
  python3 "$BENCH/report.py" record "$RES" --id "$id" --title "$title" --kind jvm --group "$group" \
      --scale "$scale" --measure "$TMP/m.json" --invoke-out "$TMP/invoke.json" --java-opts "$opts"
  log "  $(python3 -c "
import json
m = json.load(open('$TMP/m.json'))
try: r = json.load(open('$TMP/invoke.json'))
except Exception: r = {}
print(f\"handler {r.get('durationMs', 0) / 1000:.2f} s, process {m['wall_s']:.2f} s, java VmHWM {m['procs'].get('java', {}).get('hwm_mb')} MB, other CPU {m['other_cpu_s']} s, stored {r.get('storedBytes', 0) // 1048576} MB\")")"
  return 0
}

file_backup() {  # GROUP SCALE ID TITLE JAVA_OPTS
  local repo=$TMP/repo
  rm -rf "$repo"
  jvm_case "$1" "$2" "$3" "$4" "file://$repo" "$5" BACKUP_KMS_KEY="file://$TMP/local.key"
  rm -rf "$repo"
}

s3_backup() {  # GROUP SCALE ID TITLE
  jvm_case "$1" "$2" "$3" "$4" "s3://$BUCKET/backups" "$JAVA_OPTS_BASE" BACKUP_KMS_KEY="$KMS_ARN" \
      BACKUP_S3_PATH_STYLE=true AWS_ENDPOINT_URL="$MOTO_URL" AWS_REGION=us-east-1 \
      AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
  aws --endpoint-url "$MOTO_URL" s3 rm --recursive --quiet "s3://$BUCKET/backups" || true  # free moto's memory
}

BARE='pg_dump -Fc -Z0 -d "$1" > /dev/null'

# ---------------------------------------------------------------- run
ensure_db "$SCALE"
[ "$S3" = 1 ] && start_moto

log "warm-up (not measured): bin/invoke list, which unpacks function.zip and brings the jars into the page cache"
run env BACKUP_REPOSITORY="file://$TMP/warm" BACKUP_ALERT_TOPIC=stderr "$ROOT/bin/invoke" list >/dev/null 2>"$TMP/warm.err" \
  || { tail -20 "$TMP/warm.err" >&2; die "bin/invoke list failed"; }

cat > "$RES/meta.json" <<EOF
{"scale": $SCALE, "started": "$(date -u +%Y-%m-%dT%H:%MZ)", "cpus": $(nproc),
 "mem_gb": $(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo),
 "pg_dump_version": "$("$PG_BIN/pg_dump" --version)", "java_version": "$(java -version 2>&1 | head -1 | tr -d '"')",
 "java_opts": "$JAVA_OPTS_BASE", "command": "$COMMAND_LINE", "databases": [DATABASES],
 "function_zip": "$(stat -c '%y' "$ROOT/target/function.zip" | cut -c1-19), $(sha256sum "$ROOT/target/function.zip" | cut -c1-12)"}
EOF

pg_case main "$SCALE" bare  'pg_dump -Fc -Z0 > /dev/null' /dev/null "$BARE"
pg_case main "$SCALE" cat   'pg_dump -Fc -Z0 \| cat > /dev/null' /dev/null 'pg_dump -Fc -Z0 -d "$1" | cat > /dev/null'
pg_case main "$SCALE" gzip  'pg_dump \| gzip > file (plain, gzip -6)' "$TMP/out.sql.gz" 'pg_dump -d "$1" | gzip > "$2"'
pg_case main "$SCALE" fc    'pg_dump -Fc > file (built-in zlib)' "$TMP/out.dump" 'pg_dump -Fc -d "$1" > "$2"'
KIND=ref pg_case main "$SCALE" zstd 'ref: pg_dump -Fc -Z0 \| zstd -1 > file' "$TMP/out.zst" 'pg_dump -Fc -Z0 -d "$1" | zstd -q -1 > "$2"'
# What the backup's second thread ran meanwhile before content fingerprints (SnapshotSession.fingerprintTables): count(*) of
# every table, one after the other, in one REPEATABLE READ transaction.
{
  echo 'BEGIN ISOLATION LEVEL REPEATABLE READ;'
  psqlq -d "$DB_URL" -At -c "SELECT format('SELECT count(*) FROM %I.%I;', n.nspname, c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1"
  echo 'COMMIT;'
} > "$TMP/counts.sql"
KIND=ref pg_case main "$SCALE" counts 'ref: exact row counts alone (psql)' /dev/null \
  "psql -X -q -At -v ON_ERROR_STOP=1 -d \"\$1\" -f '$TMP/counts.sql' > /dev/null"
file_backup main "$SCALE" file 'our backup → file repository, local key' "$JAVA_OPTS_BASE"
[ "$S3" = 1 ] && s3_backup main "$SCALE" s3 'our backup → moto S3, moto KMS'

if [ -n "$JVM_VARIANTS" ]; then
  IFS=';' read -r -a variants <<<"$JVM_VARIANTS"
  for v in "${variants[@]}"; do
    [ -n "${v// /}" ] || continue
    base=$JAVA_OPTS_BASE
    # a variant naming a garbage collector replaces the base one (the JVM refuses two)
    if [[ $v =~ -XX:\+Use[A-Za-z]*GC ]]; then base=$(sed -E 's/-XX:\+Use[A-Za-z]*GC//g; s/  +/ /g' <<<"$base"); fi
    file_backup jvm "$SCALE" "jvm$v" "our backup → file, + $v" "${base% } $v"
  done
fi

if [ -n "$ACCP_JAR" ]; then
  # Provider 1 = ACCP, then the JDK's own list shifted by one (java.security override).
  jsec=$(dirname "$(readlink -f "$(command -v java)")")/../conf/security/java.security
  [ -f "$jsec" ] || die "cannot find the JDK's java.security ($jsec)"
  { echo "security.provider.1=com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider"
    sed -nE 's/^security\.provider\.([0-9]+)=(.*)$/\1 \2/p' "$jsec" | while read -r n v; do
      echo "security.provider.$(( n + 1 ))=$v"; done
  } > "$TMP/accp.security"
  accp_opts="--module-path $ACCP_JAR --add-modules ALL-MODULE-PATH -Djava.security.properties=$TMP/accp.security"
  file_backup jvm "$SCALE" jvm+accp "our backup → file, + ACCP" "$JAVA_OPTS_BASE $accp_opts"
  file_backup jvm "$SCALE" jvm+accp-c1 "our backup → file, + ACCP -XX:TieredStopAtLevel=1" \
      "$JAVA_OPTS_BASE -XX:TieredStopAtLevel=1 $accp_opts"
fi

if [ "$DOUBLE" = 1 ]; then
  S2=$(python3 -c "print(f'{2 * $SCALE:g}')")
  ensure_db "$S2"
  pg_case double "$S2" bare 'pg_dump -Fc -Z0 > /dev/null' /dev/null "$BARE"
  file_backup double "$S2" file 'our backup → file repository, local key' "$JAVA_OPTS_BASE"
  [ "$S3" = 1 ] && s3_backup double "$S2" s3 'our backup → moto S3, moto KMS'
fi

sed -i "s|\[DATABASES\]|[$DATABASES_JSON]|" "$RES/meta.json"
log "done in $(( $(date +%s) - T0 ))s"
if [ -n "$REPORT" ]; then
  python3 "$BENCH/report.py" render "$RES" | tee "$REPORT"
else
  python3 "$BENCH/report.py" render "$RES"
fi
