#!/usr/bin/env python3
"""Run one command and measure it: wall time, memory and CPU of its process tree.

    measure.py --out RESULT.json [--timeout S] [--server-pid PID] [--stdout F] [--stderr F]
               [--interval S] -- cmd args...

Writes RESULT.json with:
  wall_s           monotonic wall time from fork to exit (reaped)
  exit             exit status (negative: killed by that signal; 124: our timeout)
  ru_maxrss_mb     ru_maxrss from wait4(): the largest single process of the tree,
                   exact (this is what `/usr/bin/time -v` prints as "Maximum resident set size")
  cpu_s            user+sys CPU of the whole tree (wait4 rusage, reaped descendants included)
  procs            per command name (comm): peak VmHWM (MB, max over its pids) and CPU s
                   (utime+stime summed over its pids), from /proc/<pid>/status and /stat,
                   sampled every --interval s (default 0.05) while the tree runs
  tree_rss_peak_mb peak over samples of the SUM of VmRSS of the tree's processes, leaving out
                   shells, `timeout` and Python (the Lambda emulator), i.e. the function + its
                   children, or a pipeline's members
  server_cpu_s     CPU used meanwhile by the PostgreSQL server whose postmaster is PID (its
                   live processes plus reaped backends), if --server-pid is given
  watch_cpu_s      the same for each --watch NAME=PID (e.g. moto)
  other_cpu_s      CPU the rest of the machine used meanwhile (all CPUs' busy + steal time from
                   /proc/stat, minus the above): other people's work that competed with the run
  idle_wait_s      with --wait-idle S: how long we waited (at most S) for the machine to be idle
                   (under 25% busy for 2 s) before starting; idle_reached says whether it was

On timeout, SIGTERM/SIGINT: the whole tree (every pid seen) is terminated, then killed.
stdout/stderr of the command go to --stdout/--stderr (default: inherited).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

CLK = os.sysconf("SC_CLK_TCK")
EXCLUDED = {"sh", "bash", "dash", "timeout", "python3", "python", "time"}


def read_stat(pid):
    """(comm, ppid, utime+stime ticks, cutime+cstime ticks) or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    lp, rp = data.index("("), data.rindex(")")
    comm = data[lp + 1:rp]
    rest = data[rp + 2:].split()
    # rest[0] = state (field 3); utime = field 14 -> rest[11]
    return comm, int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[13]) + int(rest[14])


def read_mem_kb(pid):
    """(VmRSS, VmHWM) in kB, or None."""
    rss = hwm = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        return None
    if rss is None or hwm is None:
        return None  # zombie / kernel thread
    return rss, hwm


def all_stats():
    out = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            s = read_stat(int(name))
            if s:
                out[int(name)] = s
    return out


def tree(root, stats):
    kids = {}
    for pid, s in stats.items():
        kids.setdefault(s[1], []).append(pid)
    seen, todo = [], [root]
    while todo:
        p = todo.pop()
        if p in stats:
            seen.append(p)
        todo.extend(kids.get(p, []))
    return seen


def server_cpu_ticks(postmaster):
    """postmaster's own + reaped children's CPU + live children's CPU."""
    stats = all_stats()
    if postmaster not in stats:
        return None
    total = stats[postmaster][2] + stats[postmaster][3]
    for pid in tree(postmaster, stats):
        if pid != postmaster:
            total += stats[pid][2]
    return total


def cpu_busy_ticks():
    """Busy (incl. steal) ticks of all CPUs, from the first line of /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
    return v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)


def wait_idle(limit):
    """Waits until the machine is <25% busy over 2 consecutive seconds; returns (waited s, reached)."""
    ncpu = os.cpu_count() or 1
    t0 = time.monotonic()
    quiet = 0
    prev = cpu_busy_ticks()
    while time.monotonic() - t0 < limit:
        time.sleep(1)
        cur = cpu_busy_ticks()
        busy = (cur - prev) / CLK / ncpu
        prev = cur
        quiet = quiet + 1 if busy < 0.25 else 0
        if quiet >= 2:
            return round(time.monotonic() - t0, 1), True
    return round(time.monotonic() - t0, 1), False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=float, default=0)
    ap.add_argument("--server-pid", type=int)
    ap.add_argument("--stdout")
    ap.add_argument("--stderr")
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--watch", action="append", default=[], metavar="NAME=PID")
    ap.add_argument("--wait-idle", type=float, default=0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("missing command")

    idle_wait, idle_ok = wait_idle(a.wait_idle) if a.wait_idle > 0 else (0, None)
    watch = {}
    for w in a.watch:
        name, _, pid = w.partition("=")
        watch[name] = int(pid)
    watch0 = {n: server_cpu_ticks(p) for n, p in watch.items()}
    srv0 = server_cpu_ticks(a.server_pid) if a.server_pid else None
    busy0 = cpu_busy_ticks()
    out = open(a.stdout, "wb") if a.stdout else None
    err = open(a.stderr, "wb") if a.stderr else None
    t0 = time.monotonic()
    child = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)

    known = {}         # pid -> comm
    hwm = {}           # pid -> max VmHWM kB
    cpu = {}           # pid -> last utime+stime ticks
    tree_peak = 0
    stopping = {"why": None}

    def on_signal(signum, _frame):
        stopping["why"] = f"signal {signum}"

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def kill_all(sig):
        for pid in list(known) + [child.pid]:
            try:
                os.kill(pid, sig)
            except OSError:
                pass

    timed_out = False
    status = None
    rusage = None
    while True:
        pid, st, ru = os.wait4(child.pid, os.WNOHANG)
        if pid == child.pid:
            status, rusage = st, ru
            break
        stats = all_stats()
        total = 0
        for p in tree(child.pid, stats):
            comm = stats[p][0]
            known[p] = comm
            cpu[p] = stats[p][2]
            m = read_mem_kb(p)
            if m:
                hwm[p] = max(hwm.get(p, 0), m[1])
                if comm not in EXCLUDED and not comm.startswith("python"):
                    total += m[0]
        tree_peak = max(tree_peak, total)
        elapsed = time.monotonic() - t0
        if stopping["why"] or (a.timeout and elapsed > a.timeout):
            timed_out = stopping["why"] is None
            kill_all(signal.SIGTERM)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                pid, st, ru = os.wait4(child.pid, os.WNOHANG)
                if pid == child.pid:
                    status, rusage = st, ru
                    break
                time.sleep(0.1)
            if status is None:
                kill_all(signal.SIGKILL)
                _, status, rusage = os.wait4(child.pid, 0)
            kill_all(signal.SIGKILL)  # stragglers that left the tree
            break
        time.sleep(a.interval)
    wall = time.monotonic() - t0
    busy1 = cpu_busy_ticks()

    srv = None
    if a.server_pid and srv0 is not None:
        time.sleep(0.3)  # let the postmaster reap the backend(s)
        s1 = server_cpu_ticks(a.server_pid)
        srv = None if s1 is None else round((s1 - srv0) / CLK, 2)
    watched = {}
    for n, p in watch.items():
        w1 = server_cpu_ticks(p)
        watched[n] = None if w1 is None or watch0[n] is None else round((w1 - watch0[n]) / CLK, 2)

    procs = {}
    for p, comm in known.items():
        d = procs.setdefault(comm, {"hwm_mb": 0.0, "cpu_s": 0.0, "count": 0})
        d["hwm_mb"] = max(d["hwm_mb"], round(hwm.get(p, 0) / 1024, 1))
        d["cpu_s"] = round(d["cpu_s"] + cpu.get(p, 0) / CLK, 2)
        d["count"] += 1

    if timed_out:
        code = 124
    elif os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
    else:
        code = -os.WTERMSIG(status)
    result = {
        "cmd": cmd,
        "wall_s": round(wall, 3),
        "exit": code,
        "stopped": stopping["why"],
        "ru_maxrss_mb": round(rusage.ru_maxrss / 1024, 1),
        "cpu_s": round(rusage.ru_utime + rusage.ru_stime, 2),
        "procs": procs,
        "tree_rss_peak_mb": round(tree_peak / 1024, 1),
        "server_cpu_s": srv,
        "watch_cpu_s": watched,
        "other_cpu_s": round(max(0.0, (busy1 - busy0) / CLK - (rusage.ru_utime + rusage.ru_stime)
                                 - (srv or 0) - sum(v or 0 for v in watched.values())), 2),
        "idle_wait_s": idle_wait,
        "idle_reached": idle_ok,
        "cpus": os.cpu_count(),
    }
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    return 0 if code == 0 else (code if code > 0 else 1)


if __name__ == "__main__":
    sys.exit(main())
