#!/usr/bin/env python3
"""Markdown report of bench/native-bench.sh: medians over the runs of each kind (JVM, native).

    native_report.py RESULTS_DIR     (reads meta.json and cases.jsonl, writes the report to stdout)

Throughput is the plain pg_dump archive (the backup's plainBytes) per second of the handler's own duration
(durationMs; verify: checked[0].durationMs), i.e. without process start-up; "process" is bin/invoke's wall
time from process start to result. Runs whose invocation failed are left out of the medians and counted.
"""
import json
import statistics
import sys
from pathlib import Path

HANDLERS = ["backup", "list", "verify", "restore", "restore-test", "prune"]


def handler_ms(case):
    r = case["result"] or {}
    if case["handler"] == "verify":
        checked = r.get("checked") or [{}]
        return checked[0].get("durationMs")
    return r.get("durationMs")


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=2):
    return "–" if v is None else f"{v:.{digits}f}"


def ratio(native, jvm):
    return "–" if native is None or jvm is None or jvm == 0 else f"{native / jvm:.2f}×"


def main():
    res = Path(sys.argv[1])
    meta = json.loads((res / "meta.json").read_text())
    cases = [json.loads(line) for line in (res / "cases.jsonl").read_text().splitlines() if line.strip()]
    ok = [c for c in cases if c["exit"] == 0]
    failed = [c for c in cases if c["exit"] != 0]

    def pick(kind, group, handler):
        return [c for c in ok if c["kind"] == kind and c["group"] == group and c["handler"] == handler]

    # plain archive size of the bench database: the throughput backups' plainBytes
    plain = median([(c["result"] or {}).get("plainBytes") for c in pick("jvm", "throughput", "backup")
                    + pick("native", "throughput", "backup")])

    out = [f"# Native vs JVM ({meta['started']}, {meta['cpus']} CPUs, medians of {meta['runs']} alternating runs)", "",
           f"JVM: {meta['java_version']}, `{meta['java_opts']}`. Bench database: scale {meta['scale']}, "
           f"{meta['db_mb']} MB; plain archive {fmt(plain and plain / 1048576, 0)} MiB. Cold starts: scale 0.1.", "",
           "## Cold start: process start to result (bin/invoke), tiny database", "",
           "| handler | JVM s | native s | native/JVM | JVM VmHWM MB | native VmHWM MB |", "|---|---|---|---|---|---|"]
    for h in HANDLERS:
        j, n = pick("jvm", "cold", h), pick("native", "cold", h)
        jw, nw = median([c["wall_s"] for c in j]), median([c["wall_s"] for c in n])
        out.append(f"| {h} | {fmt(jw)} | {fmt(nw)} | {ratio(nw, jw)} | {fmt(median([c['hwm_mb'] for c in j]), 0)} | "
                   f"{fmt(median([c['hwm_mb'] for c in n]), 0)} |")

    out += ["", f"## Throughput on the bench database ({meta['db_mb']} MB)", "",
            "| handler | JVM handler s | native handler s | JVM MiB/s | native MiB/s | native/JVM time | "
            "JVM process s | native process s | JVM VmHWM MB | native VmHWM MB |", "|---|---|---|---|---|---|---|---|---|---|"]
    for h in ["backup", "verify", "restore"]:
        j, n = pick("jvm", "throughput", h), pick("native", "throughput", h)
        js, ns = median([handler_ms(c) for c in j]), median([handler_ms(c) for c in n])
        js, ns = js and js / 1000, ns and ns / 1000
        mibs = lambda s: fmt(plain / 1048576 / s, 0) if plain and s else "–"
        out.append(f"| {h} | {fmt(js)} | {fmt(ns)} | {mibs(js)} | {mibs(ns)} | {ratio(ns, js)} | "
                   f"{fmt(median([c['wall_s'] for c in j]))} | {fmt(median([c['wall_s'] for c in n]))} | "
                   f"{fmt(median([c['hwm_mb'] for c in j]), 0)} | {fmt(median([c['hwm_mb'] for c in n]), 0)} |")

    mb = lambda b: f"{b / 1048576:.1f} MiB"
    out += ["", "## Sizes", "", "| artifact | size |", "|---|---|",
            f"| JVM function.zip | {mb(meta['jvm_zip_bytes'])} |",
            f"| native function.zip | {mb(meta['native_zip_bytes'])} |",
            f"| native executable (bootstrap) | {mb(meta['native_bootstrap_bytes'])} |", "",
            f"Other CPU (the rest of the machine) during the runs, median: "
            f"{fmt(median([c.get('other_cpu_s') for c in ok]), 1)} CPU-s per invocation."]
    if failed:
        out += ["", f"**{len(failed)} invocation(s) failed** and are left out: "
                + ", ".join(f"{c['kind']} {c['group']} {c['handler']} (run {c['run']}, exit {c['exit']})" for c in failed)]
    print("\n".join(out))


if __name__ == "__main__":
    main()
