#!/usr/bin/env bash
# PostgreSQL's own regression database as a fidelity corpus (../shared/FACTS.md): runs the server's regression suite
# (its parallel_schedule, from the Debian source package matching the installed server) against a running server,
# which leaves the database `regression` behind (~100 MB, ~680 tables, every data type, partitioned tables, rules,
# RLS, large objects, regress_* roles and their grants). A few of the suite's own tests report FAILED here (its COPY
# and psql expectations); the database is what matters, not the suite's verdict.
#
# usage: bench/regression-db.sh URL      URL = postgresql://superuser:password@host:port/postgres
# Needs root for apt-get (postgresql-server-dev-N for regress.so) unless already installed; downloads the source
# once into ~/.cache/taskmaster-backup/regress-<version>. Prints the regression database's URL on stdout.
set -euo pipefail
URL=${1:?usage: bench/regression-db.sh postgresql://superuser:password@host:port/postgres}
eval "$(python3 - "$URL" <<'PY'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(f"HOST={p.hostname} PORT={p.port or 5432} PGUSER_={u.unquote(p.username or 'postgres')} PGPASSWORD_={u.quote(u.unquote(p.password or ''), safe='')}")
PY
)"
export PGPASSWORD=$(python3 -c 'import sys,urllib.parse as u; print(u.unquote(sys.argv[1]))' "$PGPASSWORD_")
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
MAJOR=$(basename "$(dirname "$BIN")")
VERSION=$("$BIN/postgres" --version | awk '{print $3}')
# The suite of the server's exact version; minor releases share it, so when that source is not downloadable (Debian
# keeps security updates' sources only briefly) REGRESS_SOURCE_VERSION (e.g. 15.18) or a cached one of the same major.
CACHES=${XDG_CACHE_HOME:-$HOME/.cache}/taskmaster-backup
SRC=${REGRESS_SOURCE_VERSION:-$VERSION}
CACHE=$CACHES/regress-$SRC
if [ ! -f "$CACHE/regress.so" ]; then
  [ -d "/usr/include/postgresql/$MAJOR/server" ] || apt-get install -y -qq "postgresql-server-dev-$MAJOR" >&2
  mkdir -p "$CACHE"
  for pool in debian/pool/main debian-security/pool/updates/main; do
    [ -s "$CACHE/src.tar.bz2" ] || curl -fsSL -o "$CACHE/src.tar.bz2" \
        "http://deb.debian.org/$pool/p/postgresql-$MAJOR/postgresql-${MAJOR}_$SRC.orig.tar.bz2" || rm -f "$CACHE/src.tar.bz2"
  done
  if [ ! -s "$CACHE/src.tar.bz2" ]; then
    rmdir "$CACHE"
    CACHE=$(ls -d "$CACHES/regress-$MAJOR".* 2>/dev/null | sort -V | tail -1)
    [ -f "$CACHE/regress.so" ] || { echo "regression-db: no source of PostgreSQL $SRC to download; set REGRESS_SOURCE_VERSION to a $MAJOR.x release Debian still serves" >&2; exit 1; }
    echo "regression-db: using the regression suite of $(basename "$CACHE") for server $VERSION" >&2
  else
    tar xjf "$CACHE/src.tar.bz2" -C "$CACHE" --strip-components=4 "postgresql-$SRC/src/test/regress"
    gcc -O1 -shared -fPIC -I"/usr/include/postgresql/$MAJOR/server" -I/usr/include/postgresql/internal \
        "$CACHE/regress.c" -o "$CACHE/regress.so"
  fi
fi
# Kept: the database's test types and functions load regress.so from here (dumping them needs it too).
WORK=${REGRESS_WORK:-/tmp/taskmaster-regress-$(basename "$CACHE")}
mkdir -p "$WORK" && cp -r "$CACHE"/. "$WORK" && rm -f "$WORK/src.tar.bz2"
# The server reads the suite's data files and writes into its output directory: as root, run it as postgres.
RUN=()
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$WORK"; RUN=(su postgres -s /bin/bash -c); else RUN=(bash -c); fi
"${RUN[@]}" "PGPASSWORD='$PGPASSWORD' $BIN/../lib/pgxs/src/test/regress/pg_regress --inputdir=$WORK --outputdir=$WORK/out \
    --bindir=$BIN --dlpath=$WORK --schedule=$WORK/parallel_schedule --host=$HOST --port=$PORT --user=$PGUSER_" >&2 || true
"$BIN/psql" -X -h "$HOST" -p "$PORT" -U "$PGUSER_" -d regression -Atc "select 1" >/dev/null
echo "regression-db: regress.so and the suite's output stay in $WORK (the database needs the library)" >&2
echo "postgresql://$PGUSER_:$PGPASSWORD_@$HOST:$PORT/regression"
