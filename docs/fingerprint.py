#!/usr/bin/env python3
"""Recompute TaskMaster Backup's content fingerprints (docs/FINGERPRINTS.md) with psql.

Python 3.8+, standard library only, and psql on the PATH (any version that can reach the server).

  fingerprint.py rows  --key-file KEY  < copy-text        COPY text on stdin -> "<rows> <digest>"
  fingerprint.py check --key-file KEY  FINGERPRINTS.json  a database against recorded fingerprints

`check` connects with psql, so the usual libpq environment says where: PGHOST, PGPORT, PGDATABASE, PGUSER,
PGPASSWORD (or ~/.pgpass), PGSSLMODE. FINGERPRINTS.json is the manifest's "fingerprints" object
(`jq .fingerprints manifest.json`). KEY is the backup's fingerprint key: a file of 32 raw bytes or of 64 hex
digits. The key is never printed.

`check` reads tables row by row (memory stays small), but each large object whole (lo_get), so a machine with
room for the largest one.

`check` prints one line per table, then the large objects and the sequences, and exits 0 when everything is
equal, 1 when something differs or cannot be read (psql prints why), 2 on a usage error.
"""
import argparse
import hmac
import json
import re
import subprocess
import sys

ALGORITHM = "hmac-sha256-sum256-v1"
MOD = 1 << 256


class Multiset:
    """Count and sum modulo 2^256 of HMAC-SHA-256(key, domain || element), each read as a big-endian integer."""

    def __init__(self, key):
        self.key, self.count, self.total = key, 0, 0

    def add(self, message):
        h = hmac.new(self.key, message, "sha256").digest()
        self.total = (self.total + int.from_bytes(h, "big")) % MOD
        self.count += 1

    def digest(self):
        return "%064x" % self.total


def add_rows(ms, stream):
    """Each line of COPY text without its newline is a row: HMAC over b"row\\0" + row."""
    for line in stream:
        if not line.endswith(b"\n"):
            raise SystemExit("COPY text ends inside a row")
        ms.add(b"row\0" + line[:-1])


def ident(name):
    """A quoted identifier in ASCII: U&"..." escapes for anything else, whatever the client encoding."""
    if all(0x20 <= ord(c) < 0x7f for c in name):
        return '"' + name.replace('"', '""') + '"'
    out = []
    for c in name:
        o = ord(c)
        if c == '"':
            out.append('""')
        elif c == "\\":
            out.append("\\\\")
        elif 0x20 <= o < 0x7f:
            out.append(c)
        else:
            out.append("\\%04x" % o if o <= 0xFFFF else "\\+%06x" % o)
    return 'U&"' + "".join(out) + '"'


def columns(column_list):
    """pg_dump's column list, e.g. (a, "B c"), with each column as ident()."""
    if not column_list:
        return ""
    names = [q.replace('""', '"') if q else u for q, u in re.findall(r'"((?:[^"]|"")*)"|([^\s,()"]+)', column_list)]
    return "(" + ", ".join(ident(n) for n in names) + ")"


def literal(value):
    return "'" + value.replace("'", "''") + "'"


def session_sql(fp):
    """The archive's encoding and session settings, as SET commands (docs/FINGERPRINTS.md, "Text form")."""
    s = fp["textForm"]["session"]
    sets = [("client_encoding", fp["textForm"]["clientEncoding"]), ("DateStyle", s["dateStyle"]),
            ("IntervalStyle", s["intervalStyle"]), ("extra_float_digits", str(s["extraFloatDigits"])),
            ("TimeZone", s["timeZone"]), ("bytea_output", s["byteaOutput"]), ("row_security", "off")]
    if s.get("lcMonetary"):
        sets.append(("lc_monetary", s["lcMonetary"]))
    return "; ".join("SET %s = %s" % (k, literal(v)) for k, v in sets)


def psql(fp, sql):
    """Runs the settings, then sql, in one psql session; returns the process (stdout: raw bytes)."""
    return subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                             "-c", session_sql(fp), "-c", sql], stdout=subprocess.PIPE)


def run(fp, sql, consume):
    p = psql(fp, sql)
    try:
        consume(p.stdout)
    finally:
        p.stdout.close()
    return p.wait() == 0


def check(fp, key):
    if fp.get("algorithm") != ALGORITHM:
        raise SystemExit("unknown fingerprint algorithm %r (this script knows %s)" % (fp.get("algorithm"), ALGORITHM))
    differences = 0
    for t in fp["tables"]:
        ms = Multiset(key)
        name = "%s.%s" % (t["schema"], t["name"])
        sql = "COPY %s.%s %s TO STDOUT" % (ident(t["schema"]), ident(t["name"]), columns(t["columns"]))
        if not run(fp, sql, lambda out: add_rows(ms, out)):
            print("UNREADABLE %r (psql failed: see its message above)" % name)
            differences += 1
        elif ms.count != t["rows"]:
            print("DIFFERS %r: count differs: %d vs %d" % (name, t["rows"], ms.count))
            differences += 1
        elif ms.digest() != t["digest"]:
            print("DIFFERS %r: content differs with equal count (%d rows)" % (name, ms.count))
            differences += 1
        else:
            print("ok %r: %d rows, digest %s" % (name, ms.count, ms.digest()))

    los = Multiset(key)

    def add_large_objects(out):
        for line in out:                              # "<oid>\t<contents in hex>" per large object
            oid, hexdata = line.rstrip(b"\n").split(b"\t")
            los.add(b"lo\0" + oid + b"\0" + bytes.fromhex(hexdata.decode("ascii")))

    run(fp, "COPY (SELECT oid::bigint, encode(lo_get(oid), 'hex') FROM pg_catalog.pg_largeobject_metadata) TO STDOUT",
        add_large_objects)
    want = fp["largeObjects"]
    ok = los.count == want["count"] and los.digest() == want["digest"]
    differences += 0 if ok else 1
    print("%s large objects: %d vs %d, digest %s" % ("ok" if ok else "DIFFERS", want["count"], los.count, los.digest()))

    for s in fp["sequences"]:
        name = "%s.%s" % (s["schema"], s["name"])
        got = []
        run(fp, "SELECT last_value, is_called FROM %s.%s" % (ident(s["schema"]), ident(s["name"])),
            lambda out: got.extend(out.read().decode().strip().split("|")))
        ok = got == [str(s["lastValue"]), "t" if s["isCalled"] else "f"]
        differences += 0 if ok else 1
        print("%s sequence %r: %s %s vs %s" % ("ok" if ok else "DIFFERS", name, s["lastValue"], s["isCalled"], got))
    return differences


def read_key(path):
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) == 32:
        return raw
    try:
        key = bytes.fromhex(raw.decode("ascii").strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise SystemExit("the key file must hold 32 bytes, raw or as 64 hex digits")
    return key


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["rows", "check"])
    ap.add_argument("--key-file", required=True)
    ap.add_argument("fingerprints", nargs="?", help="check: the manifest's fingerprints object (JSON file)")
    a = ap.parse_intermixed_args()
    key = read_key(a.key_file)
    if a.mode == "rows":
        ms = Multiset(key)
        add_rows(ms, sys.stdin.buffer)
        print(ms.count, ms.digest())
        return 0
    if not a.fingerprints:
        ap.error("check needs the fingerprints JSON file")
    with open(a.fingerprints, encoding="utf-8") as f:
        fp = json.load(f)
    differences = check(fp, key)
    print("all equal" if differences == 0 else "%d difference(s)" % differences)
    return 0 if differences == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
