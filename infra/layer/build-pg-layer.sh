#!/usr/bin/env bash
# Builds a Lambda layer zip with the PostgreSQL client tools for Amazon Linux 2023
# (Lambda runtimes provided.al2023 and java21):
#
#   bin/pg_dump  bin/pg_dumpall  bin/pg_restore  bin/psql  -> /opt/bin   (BACKUP_PG_BIN=/opt/bin)
#   lib/<shared libraries they need>           -> /opt/lib   (on Lambda's default LD_LIBRARY_PATH)
#   etc/rds-global-bundle.pem                  -> /opt/etc   (Amazon RDS's CA bundle, fetched at build time)
#   etc/ssl/certs/ca-certificates.crt          -> the build image's public CA bundle (libpq's sslrootcert=system)
#
# glibc itself is NOT copied: the runtime's own glibc must be used.
#
# Usage:  infra/layer/build-pg-layer.sh <postgres-major> [x86_64|arm64]
#   e.g.  infra/layer/build-pg-layer.sh 16 x86_64
# Output: infra/layer/dist/pg-tools-<major>-<arch>.zip
#
# Requires Docker (with binfmt/qemu for a foreign architecture). pg_dump's major version must be
# >= the database server's major version. See infra/layer/README.md.
set -euo pipefail

usage() {
  echo "usage: $0 <postgres-major (e.g. 15, 16, 17)> [x86_64|arm64]" >&2
  exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
PG_MAJOR="$1"
ARCH="${2:-x86_64}"
[[ "$PG_MAJOR" =~ ^[0-9]{2}$ ]] || usage

case "$ARCH" in
  x86_64) PLATFORM=linux/amd64 ;;
  arm64) PLATFORM=linux/arm64 ;;
  *) usage ;;
esac

BUILD_IMAGE="${BUILD_IMAGE:-public.ecr.aws/amazonlinux/amazonlinux:2023}"
# Lambda base image used for the smoke test: nothing but the runtime's own libraries.
TEST_IMAGE="${TEST_IMAGE:-public.ecr.aws/lambda/provided:al2023}"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIST_DIR="$SCRIPT_DIR/dist"
ZIP_NAME="pg-tools-${PG_MAJOR}-${ARCH}.zip"
mkdir -p "$DIST_DIR"
rm -f "$DIST_DIR/$ZIP_NAME"

command -v docker >/dev/null 2>&1 || { echo "docker is required" >&2; exit 1; }

echo ">> building PostgreSQL ${PG_MAJOR} client layer for ${ARCH} in ${BUILD_IMAGE}"

# The build runs inside the container; variables in the heredoc are expanded there
# (quoted 'EOS'), and passed in with -e.
docker run --rm --platform "$PLATFORM" \
  -e PG_MAJOR="$PG_MAJOR" -e ZIP_NAME="$ZIP_NAME" \
  -v "$DIST_DIR:/dist" \
  "$BUILD_IMAGE" /bin/bash -euo pipefail -s <<'EOS'
dnf -y -q install zip findutils binutils >/dev/null

# 1. Amazon Linux 2023's own postgresqlNN packages; 2. otherwise the PGDG EL-9 repository
#    (not officially supported on AL2023, but its EL-9 builds link against compatible libraries).
if dnf -y -q install "postgresql${PG_MAJOR}" >/dev/null 2>&1; then
  PKG="postgresql${PG_MAJOR}"
  echo ">> using Amazon Linux 2023 package ${PKG}"
else
  echo ">> postgresql${PG_MAJOR} not in the AL2023 repositories, using PGDG (EL-9)"
  dnf -y -q install "https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-$(uname -m)/pgdg-redhat-repo-latest.noarch.rpm" >/dev/null
  # The PGDG repo file uses $releasever, which is 2023 on AL2023: pin it to 9.
  # shellcheck disable=SC2016
  sed -i 's/\$releasever/9/g' /etc/yum.repos.d/pgdg-redhat-all.repo
  dnf -y -q install "postgresql${PG_MAJOR}" >/dev/null
  PKG="postgresql${PG_MAJOR}"
fi

OUT=/tmp/layer
mkdir -p "$OUT/bin" "$OUT/lib"

for tool in pg_dump pg_dumpall pg_restore psql; do
  src="$(rpm -ql "$PKG" | grep -E "/bin/${tool}\$" | head -n 1 || true)"
  if [[ -z "$src" ]]; then
    echo "!! ${tool} not found in ${PKG}" >&2
    exit 1
  fi
  # Dereference alternatives/symlinks.
  cp -L "$src" "$OUT/bin/$tool"
done

# Shared libraries, transitively (ldd already resolves the whole closure), minus glibc, which
# must come from the Lambda runtime itself (a copied libc would not match its ld.so).
is_glibc() {
  case "$1" in
    linux-vdso.so*|ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|\
    libutil.so*|libanl.so*|libmvec.so*|libBrokenLocale.so*|libnss_*|libthread_db.so*|libc_malloc_debug.so*)
      return 0 ;;
    *) return 1 ;;
  esac
}

for bin in "$OUT"/bin/*; do
  ldd "$bin" | awk '/=>/ { print $1, $3 } !/=>/ && $1 ~ /^\// { print $1, $1 }' |
  while read -r soname path; do
    name="$(basename "$soname")"
    if is_glibc "$name"; then
      continue
    fi
    if [[ "$path" == "not" || ! -e "$path" ]]; then
      echo "!! unresolved dependency of $(basename "$bin"): $soname" >&2
      exit 1
    fi
    [[ -e "$OUT/lib/$name" ]] || cp -L "$path" "$OUT/lib/$name"
  done
done

# Amazon RDS's global CA bundle (RDS/Aurora server certificates chain to it; no public trust store holds it), fetched
# now, on the operator's machine: BACKUP_DB_RDS_CA_BUNDLE's default /opt/etc/rds-global-bundle.pem. And a copy of the
# platform's public CA bundle for libpq (sslrootcert=system; docs/CONNECTIONS.md).
mkdir -p "$OUT/etc/ssl/certs"
curl -fsSL --retry 3 "${RDS_CA_BUNDLE_URL:-https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem}" \
  -o "$OUT/etc/rds-global-bundle.pem"
[[ "$(grep -c 'BEGIN CERTIFICATE' "$OUT/etc/rds-global-bundle.pem")" -ge 1 ]] || { echo "!! the RDS CA bundle holds no certificate" >&2; exit 1; }
cp -L /etc/pki/tls/certs/ca-bundle.crt "$OUT/etc/ssl/certs/ca-certificates.crt"
chmod 0644 "$OUT"/etc/*.pem "$OUT"/etc/ssl/certs/*

strip --strip-unneeded "$OUT"/bin/* "$OUT"/lib/* 2>/dev/null || true
chmod 0755 "$OUT"/bin/*
chmod 0644 "$OUT"/lib/*

echo ">> layer contents:"
(cd "$OUT" && find . -type f | sort)
"$OUT/bin/pg_dump" --version

(cd "$OUT" && zip -q -r -9 "/dist/${ZIP_NAME}" bin lib etc)
EOS

echo ">> smoke test in ${TEST_IMAGE} (only the runtime's libraries plus the layer)"
SMOKE_DIR="$(mktemp -d)"
trap 'rm -rf "$SMOKE_DIR"' EXIT
(cd "$SMOKE_DIR" && unzip -q "$DIST_DIR/$ZIP_NAME")
docker run --rm --platform "$PLATFORM" \
  -v "$SMOKE_DIR:/opt:ro" -e LD_LIBRARY_PATH=/opt/lib \
  --entrypoint /bin/sh "$TEST_IMAGE" \
  -c '/opt/bin/pg_dump --version && /opt/bin/pg_dumpall --version && /opt/bin/pg_restore --version && /opt/bin/psql --version && test -s /opt/etc/rds-global-bundle.pem'

SIZE="$(du -h "$DIST_DIR/$ZIP_NAME" | cut -f1)"
echo
echo ">> built $DIST_DIR/$ZIP_NAME ($SIZE)"
echo ">> publish it (zip above 50 MB: upload to S3 first and use --content S3Bucket=...,S3Key=...):"
echo
echo "aws lambda publish-layer-version \\"
echo "  --layer-name taskmaster-pg${PG_MAJOR}-${ARCH} \\"
echo "  --description 'PostgreSQL ${PG_MAJOR} pg_dump/pg_dumpall/pg_restore/psql for Amazon Linux 2023' \\"
echo "  --compatible-runtimes provided.al2023 java21 \\"
echo "  --compatible-architectures ${ARCH} \\"
echo "  --zip-file fileb://$DIST_DIR/$ZIP_NAME \\"
echo "  --query LayerVersionArn --output text"
echo
echo ">> then deploy template.yaml with PgToolsLayerArn=<that LayerVersionArn> and Architecture=${ARCH}"
