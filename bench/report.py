#!/usr/bin/env python3
"""Results of bench/backup-bench.sh: record one case, or render the markdown report.

    report.py record DIR --id ID --title TITLE --kind pg|jvm|ref --group main|double|jvm --scale S
                         --measure M.json [--invoke-out OUT.json] [--output-bytes N] [--java-opts O]
    report.py render DIR      (markdown on stdout)

DIR holds meta.json (written by the bench script) and one NN-ID.json per recorded case.
"""
import argparse
import glob
import json
import os
import sys

MB = 1024 * 1024


def record(a):
    with open(a.measure) as f:
        m = json.load(f)
    rec = {"id": a.id, "title": a.title, "kind": a.kind, "group": a.group, "scale": float(f"{a.scale:g}") if a.scale % 1 else int(a.scale),
           "measure": m, "output_bytes": a.output_bytes, "java_opts": a.java_opts,
           "handler_ms": None, "plain_bytes": None}
    if a.invoke_out:
        try:
            with open(a.invoke_out) as f:
                r = json.load(f)
            rec["handler_ms"] = r.get("durationMs")
            rec["plain_bytes"] = r.get("plainBytes")
            if rec["output_bytes"] is None:
                rec["output_bytes"] = r.get("storedBytes")
        except (OSError, ValueError):
            pass  # failed invocation: the exit status says so
    n = len(glob.glob(os.path.join(a.dir, "[0-9][0-9]-*.json")))
    with open(os.path.join(a.dir, f"{n:02d}-{a.id.replace('/', '_')}.json"), "w") as f:
        json.dump(rec, f, indent=1)


def load(d):
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    recs = []
    for p in sorted(glob.glob(os.path.join(d, "[0-9][0-9]-*.json"))):
        with open(p) as f:
            recs.append(json.load(f))
    return meta, recs


def ok(r):
    return r["measure"]["exit"] == 0


def wall(r):
    """Start-up excluded for the JVM cases (the handler's durationMs), process wall otherwise."""
    if r["kind"] == "jvm" and r["handler_ms"] is not None:
        return r["handler_ms"] / 1000
    return r["measure"]["wall_s"]


def peak_rss(r):
    """JVM cases: the java process' VmHWM. Others: peak of the summed RSS of the pipeline's processes."""
    m = r["measure"]
    if r["kind"] == "jvm":
        return m["procs"].get("java", {}).get("hwm_mb")
    return m["tree_rss_peak_mb"]


def disturbed(r):
    """Other processes used over 15% of the machine's CPU capacity (and over 0.5 s) during the run."""
    m = r["measure"]
    o = m.get("other_cpu_s")
    return o is not None and o > 0.5 and o > 0.15 * (m.get("cpus") or 1) * m["wall_s"]


def f1(x, nd=1):
    return "–" if x is None else f"{x:.{nd}f}"


def ratio(a, b, nd=2):
    return "–" if a is None or not b else f"{a / b:.{nd}f}×"


def find(recs, group, rid):
    for r in recs:
        if r["group"] == group and r["id"] == rid and ok(r):
            return r
    return None


def cpu_by_proc(r):
    procs = r["measure"]["procs"]
    parts = [f"{k} {v['cpu_s']:.1f}" for k, v in sorted(procs.items(), key=lambda kv: -kv[1]["cpu_s"])
             if v["cpu_s"] >= 0.05]
    return ", ".join(parts) or "–"


def main_table(recs, group):
    bare = find(recs, group, "bare")
    gz = find(recs, group, "gzip")
    lines = ["| case | wall s | vs bare pg_dump -Z0 | peak RSS MB | output MB | vs gzip size |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in recs:
        if r["group"] != group:
            continue
        title = r["title"] + ("" if ok(r) else f" **(FAILED, exit {r['measure']['exit']})**") \
            + (" †" if disturbed(r) else "")
        out = r["output_bytes"]
        lines.append("| {} | {} | {} | {} | {} | {} |".format(
            title, f1(wall(r), 2), ratio(wall(r), bare and wall(bare)), f1(peak_rss(r)),
            f1(out / MB if out is not None else None),
            ratio(out, gz and gz["output_bytes"]) if out is not None else "–"))
    return lines


def details_table(recs, groups):
    lines = ["| case | scale | process wall s | handler s | start-up + exit s | CPU s (tree) | CPU s by process |"
             " server CPU s | moto CPU s | other CPU s | ru_maxrss MB | tree RSS peak MB |",
             "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    for r in recs:
        if r["group"] not in groups:
            continue
        m = r["measure"]
        h = r["handler_ms"] / 1000 if r["handler_ms"] is not None else None
        moto = (m.get("watch_cpu_s") or {}).get("moto")
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["title"] + (" †" if disturbed(r) else ""), r["scale"], f1(m["wall_s"], 2), f1(h, 2),
            f1(m["wall_s"] - h, 2) if h is not None else "–", f1(m["cpu_s"]), cpu_by_proc(r),
            f1(m["server_cpu_s"]), f1(moto) if r["id"] == "s3" else "–", f1(m.get("other_cpu_s")),
            f1(m["ru_maxrss_mb"]), f1(m["tree_rss_peak_mb"])))
    return lines


def verdict(cond):
    return "–" if cond is None else ("PASS" if cond else "FAIL")


def targets(recs, meta):
    bare, gz = find(recs, "main", "bare"), find(recs, "main", "gzip")
    out = []
    for rid in ("file", "s3"):
        r = find(recs, "main", rid)
        if r is None:
            out.append(f"- backup to {rid}: not measured (skipped or failed)")
            continue
        w, p = wall(r), peak_rss(r)
        c1 = w <= 1.25 * wall(bare) if bare else None
        c2 = w <= 0.5 * wall(gz) if gz else None
        c3 = r["output_bytes"] <= gz["output_bytes"] if gz and r["output_bytes"] is not None else None
        c4 = p is not None and p < 300
        out.append(f"- **{r['title']}**")
        out.append(f"  - {verdict(c1)} wall (start-up excluded) ≤ 1.25× bare `pg_dump -Fc -Z0`: "
                   f"{w:.2f} s = {ratio(w, bare and wall(bare))} (limit {1.25 * wall(bare):.2f} s)" if bare else
                   "  - – wall vs bare: bare pg_dump not measured")
        out.append(f"  - {verdict(c2)} at most half of `pg_dump | gzip`: {ratio(w, gz and wall(gz))} "
                   f"(limit {0.5 * wall(gz):.2f} s)" if gz else "  - – vs gzip time: gzip not measured")
        out.append(f"  - {verdict(c3)} output no larger than gzip's: {r['output_bytes'] / MB:.1f} MB vs "
                   f"{gz['output_bytes'] / MB:.1f} MB ({ratio(r['output_bytes'], gz['output_bytes'])})"
                   if gz and r["output_bytes"] is not None else "  - – output vs gzip: not measured")
        out.append(f"  - {verdict(c4)} JVM peak RSS < 300 MB: {f1(p)} MB "
                   f"(JVM + pg_dump together: {f1(r['measure']['tree_rss_peak_mb'])} MB)")
        d = find(recs, "double", rid)
        if d is None:
            out.append("  - – flat when the database doubles: not checked (run with --double)")
        else:
            pd = peak_rss(d)
            flat = pd is not None and p is not None and pd <= p * 1.10
            out.append(f"  - {verdict(flat)} flat when the database doubles (≤ +10%): scale {r['scale']} → {d['scale']}: "
                       f"{f1(p)} → {f1(pd)} MB ({(pd - p) / p * 100:+.1f}%)")
    return out


def jvm_table(recs):
    rows = [r for r in recs if r["group"] in ("main", "jvm") and r["kind"] == "jvm" and r["id"] != "s3"]
    if len(rows) < 2:
        return []
    lines = ["| INVOKE_JAVA_OPTS (file repository) | handler s | process wall s | java CPU s | pg_dump CPU s |"
             " server CPU s | JVM peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        m = r["measure"]
        h = r["handler_ms"] / 1000 if r["handler_ms"] is not None else None
        opts = r["java_opts"] or ""
        if "--module-path" in opts:
            opts = opts.split(" --module-path")[0] + " + ACCP (--module-path, java.security override)"
        lines.append("| `{}` | {} | {} | {} | {} | {} | {} |".format(
            opts, f1(h, 2), f1(m["wall_s"], 2), f1(m["procs"].get("java", {}).get("cpu_s")),
            f1(m["procs"].get("pg_dump", {}).get("cpu_s")), f1(m["server_cpu_s"]), f1(peak_rss(r))))
    return lines


def render(d):
    meta, recs = load(d)
    L = [f"## Backup benchmark, scale {meta['scale']} ({meta.get('started', '')})", "",
         f"Machine: {meta.get('cpus')} CPUs, {meta.get('mem_gb')} GB RAM; {meta.get('pg_dump_version')}; "
         f"{meta.get('java_version')}; JVM options `{meta.get('java_opts')}`.", "",
         f"Command: `{meta.get('command')}`; target/function.zip of {meta.get('function_zip')} (mtime, sha256).", ""]
    for db in meta.get("databases", []):
        L.append(f"- database `{db['name']}` (scale {db['scale']}): {db['table_mb']:.0f} MB of table data "
                 f"(heap + TOAST), {db['db_mb']:.0f} MB with indexes; "
                 + ("reused" if db.get("reused") else f"loaded in {db['load_s']:.0f} s (+ VACUUM FREEZE ANALYZE)"))
    L += ["", "### Results (one run each)", ""]
    L += main_table(recs, "main")
    f = find(recs, "main", "file") or find(recs, "main", "s3")
    if f and f["plain_bytes"]:
        L += ["", f"pg_dump -Fc -Z0 writes {f['plain_bytes'] / MB:.1f} MB here (the backup's plainBytes); our backup "
              f"stores {f['output_bytes'] / MB:.1f} MB (×{f['plain_bytes'] / f['output_bytes']:.2f} smaller)."]
    L += ["", "wall s: for the JVM rows the handler's durationMs (JVM start-up excluded; the whole process is in",
          "the details below); peak RSS: JVM rows = the java process' VmHWM, other rows = peak of the summed RSS",
          "of the pipeline's processes (pg_dump + gzip/cat/zstd); output MB = bytes written (our backup: storedBytes);",
          "MB = 2^20 bytes. † = disturbed: other processes on the machine used more than 15% of its CPU",
          "capacity (and over 0.5 CPU s) during that run (see \"other CPU s\" below); its time is not trustworthy.",
          "", "### Targets", ""]
    L += targets(recs, meta)
    if any(r["group"] == "double" for r in recs):
        L += ["", f"### Doubled database (scale {meta['scale'] * 2:g})", ""]
        L += main_table(recs, "double")
    jt = jvm_table(recs)
    if jt:
        L += ["", "### JVM option variants", ""] + jt
    L += ["", "### Details: where the time goes", ""]
    L += details_table(recs, ("main", "double", "jvm"))
    L += ["", "CPU s (tree) = user+sys of the measured process tree (the PostgreSQL server excluded; it is",
          "\"server CPU s\": the backends serving pg_dump and, for our backup, the snapshot and row-count",
          "connections); moto CPU s: the S3/KMS stand-in (a Python server sharing our CPUs); other CPU s: the",
          "rest of the machine meanwhile (/proc/stat busy + steal minus all the above). CPU by process is",
          "sampled from /proc every 50 ms. ru_maxrss = largest single process (what `/usr/bin/time -v` reports)."]
    waits = [r for r in recs if r["measure"].get("idle_reached") is False]
    if waits:
        L += ["", f"Note: for {len(waits)} case(s) the machine did not become idle within BENCH_IDLE_WAIT; "
              "they ran anyway."]
    print("\n".join(L))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="op", required=True)
    r = sub.add_parser("record")
    r.add_argument("dir")
    r.add_argument("--id", required=True)
    r.add_argument("--title", required=True)
    r.add_argument("--kind", required=True, choices=["pg", "jvm", "ref"])
    r.add_argument("--group", default="main")
    r.add_argument("--scale", type=float, required=True)
    r.add_argument("--measure", required=True)
    r.add_argument("--invoke-out")
    r.add_argument("--output-bytes", type=int)
    r.add_argument("--java-opts")
    p = sub.add_parser("render")
    p.add_argument("dir")
    a = ap.parse_args()
    if a.op == "record":
        record(a)
    else:
        render(a.dir)


if __name__ == "__main__":
    sys.exit(main())
