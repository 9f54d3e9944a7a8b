#!/usr/bin/env bash
# Catalog benchmark (issue 9, item 9): `list` and a prune dry run over N manifests on moto S3, comparing two builds
# (e.g. main before a change and this tree after it), medians of alternating runs. See bench/README.md, "Catalog
# benchmark".
set -euo pipefail

usage() {
  cat <<'EOF2'
usage: bench/catalog-bench.sh [--before ROOT] [--after ROOT] [--manifests N] [--runs R] [--index]

  --before ROOT    a checkout whose target/function.zip is the baseline (e.g. `git archive <commit> | tar -x -C
                   ROOT` and `./mvnw -q package -DskipTests` there); absent: only --after is measured
  --after ROOT     the checkout measured against it                                         [this tree]
  --manifests N    manifests in the repository (hourly backups back from now)              [3001]
  --runs R         runs of each case per build; the builds alternate, their order swapped every run  [3]
  --index          also seed a catalog index of the manifests (docs/FORMAT.md section 13), as backup writes it;
                   builds without the index read every manifest (and report the index as a foreign object)

Environment: INVOKE_JAVA_OPTS (default -Xmx256m -XX:+UseSerialGC), BENCH_IDLE_WAIT (wait up to this many s for the
machine to be idle before each run, default 30; 0 = don't), BENCH_CASE_TIMEOUT (one run, s, default 600).
The report (markdown) goes to stdout, progress to stderr.
EOF2
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BEFORE='' AFTER=$ROOT N=3001 RUNS=3 INDEX=
while [ $# -gt 0 ]; do
  case $1 in
    --before) BEFORE=$(cd "${2:?}" && pwd); shift 2 ;;
    --after) AFTER=$(cd "${2:?}" && pwd); shift 2 ;;
    --manifests) N=${2:?}; shift 2 ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --index) INDEX=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "catalog-bench: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
for r in $BEFORE $AFTER; do [ -f "$r/target/function.zip" ] || { echo "catalog-bench: $r/target/function.zip missing (package it)" >&2; exit 2; }; done
command -v moto_server >/dev/null || { echo "catalog-bench: moto_server not found" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/catalog-bench.XXXXXX")
MOTO_PID=''
cleanup() {
  set +e
  [ -n "$MOTO_PID" ] && kill "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
log() { printf '[catalog-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
moto_server -H 127.0.0.1 -p "$port" >"$TMP/moto.log" 2>&1 &
MOTO_PID=$!
MOTO_URL=http://127.0.0.1:$port
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('$MOTO_URL/moto-api/', timeout=1)" 2>/dev/null && break
  kill -0 "$MOTO_PID" 2>/dev/null || { cat "$TMP/moto.log" >&2; exit 1; }
  sleep 0.2
done
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
log "seeding $N manifests on moto ($MOTO_URL)"
python3 "$ROOT/bench/catalog-seed.py" "$MOTO_URL" catalog-bench backups "$N" "$AFTER/docs/FORMAT.md" ${INDEX:+--index} >/dev/null

builds=()
[ -n "$BEFORE" ] && builds+=(before)
builds+=(after)
root_of() { if [ "$1" = before ]; then echo "$BEFORE"; else echo "$AFTER"; fi; }

# one BUILD CASE HANDLER EVENT RUN
one() {
  local build=$1 case=$2 handler=$3 event=$4 run=$5 out=$TMP/$1-$2-$5
  log "run $run: $build $case"
  python3 "$ROOT/bench/measure.py" --out "$out.json" --timeout "${BENCH_CASE_TIMEOUT:-600}" \
      --wait-idle "${BENCH_IDLE_WAIT:-30}" --watch moto="$MOTO_PID" --stdout "$out.out" --stderr "$out.err" -- \
      env BACKUP_REPOSITORY=s3://catalog-bench/backups BACKUP_S3_PATH_STYLE=true AWS_ENDPOINT_URL="$MOTO_URL" \
          BACKUP_ALERT_TOPIC=stderr BACKUP_RETENTION_MAX_DELETE_PERCENT=100 \
          "$(root_of "$build")/bin/invoke" "$handler" "$event" || { tail -20 "$out.err" >&2; exit 1; }
  python3 - "$out.out" "$case" "$N" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
n = len(r["backups"]) if sys.argv[2] == "list" else r["backupsBefore"]
if n != int(sys.argv[3]):
    sys.exit("catalog-bench: %s saw %d backups, not %s" % (sys.argv[2], n, sys.argv[3]))
PY
}

# Unmeasured warm-up of each build (unpacks function.zip, warms the page cache).
for b in "${builds[@]}"; do
  env BACKUP_REPOSITORY="file://$TMP/empty" BACKUP_ALERT_TOPIC=stderr "$(root_of "$b")/bin/invoke" list >/dev/null 2>&1
done
for run in $(seq 1 "$RUNS"); do
  order=("${builds[@]}")
  if [ $((run % 2)) = 0 ] && [ ${#builds[@]} = 2 ]; then order=(after before); fi
  for b in "${order[@]}"; do
    one "$b" list list '{}' "$run"
    one "$b" prune prune '{"dryRun": true}' "$run"
  done
done

python3 - "$TMP" "$N" "$RUNS" "${builds[@]}" <<'PY'
import json, statistics, sys, glob, os, re
tmp, n, runs, builds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
def stats(build, case):
    files = sorted(glob.glob(os.path.join(tmp, "%s-%s-*.json" % (build, case))))
    rs = [json.load(open(f)) for f in files]
    wall = statistics.median(r["wall_s"] for r in rs)
    rss = statistics.median(r["procs"].get("java", {}).get("hwm_mb", r["ru_maxrss_mb"]) for r in rs)
    java = statistics.median(r["procs"].get("java", {}).get("cpu_s", 0) for r in rs)
    moto = statistics.median(r.get("watch_cpu_s", {}).get("moto", 0) for r in rs)
    other = statistics.median(r.get("other_cpu_s", 0) for r in rs)
    # the catalog's own time in the handler (its log line; builds before it have none)
    ms = []
    for f in files:
        m = re.search(r"catalog: \d+ manifests (?:read )?in (\d+) ms", open(f[:-5] + ".err", errors="replace").read())
        if m:
            ms.append(int(m.group(1)) / 1000)
    read = "%.1f" % statistics.median(ms) if ms else "–"
    return wall, rss, java, moto, other, read, [round(r["wall_s"], 1) for r in rs]
print("## Catalog benchmark: %s manifests on moto S3, medians of %d alternating runs\n" % (n, runs))
print("| case | build | wall s (median) | runs | catalog read in the handler s | java CPU s | moto CPU s | java peak RSS MB | others' CPU s |")
print("|---|---|---|---|---|---|---|---|---|")
res = {}
for case in ("list", "prune"):
    for b in builds:
        w, rss, java, moto, other, read, all_ = stats(b, case)
        res[(case, b)] = w
        print("| %s | %s | %.1f | %s | %s | %.1f | %.1f | %.0f | %.1f |" % ("list" if case == "list" else "prune dry run", b, w,
                                                                        all_, read, java, moto, rss, other))
if len(builds) == 2:
    print()
    for case in ("list", "prune"):
        print("- %s: %.1f s → %.1f s (%.1f× faster)" % (case, res[(case, "before")], res[(case, "after")],
                                                        res[(case, "before")] / res[(case, "after")]))
print("\nWall time is the whole invocation (`bin/invoke`: emulator, JVM start-up, handler, exit); CPU s are user+sys"
      " of the java process and of moto_server during the run, comparable under load where wall times are not.")
PY
