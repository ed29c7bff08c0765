#!/usr/bin/python3
"""report.py WORKDIR RESULTS_DIR CELL_SECONDS — turns the cells run.sh measured
into RESULTS_DIR/latest.json, latest.md and latest.png, and prints the table.

WORKDIR/cells holds, per cell LABEL = DAEMON-TRANSPORT-CONNECTIONS-WORKLOAD,
LABEL.json (miltergen --json) and LABEL.meta (daemon CPU ticks and peak RSS
over the cell), and per daemon run DAEMON-TRANSPORT.daemon (peak RSS, whether
it stopped on SIGTERM, sendguard's sessions live at stop). WORKDIR/micro.txt
holds "program<TAB>result line" of the micro-benchmarks and
WORKDIR/openssl-speed.txt the relevant `openssl speed` lines. Exits non-zero
when the inputs are unusable or gnuplot failed.
"""
import datetime
import glob
import json
import os
import platform
import subprocess
import sys


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "load_average_at_report": open("/proc/loadavg").read().split()[:3],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def load_cells(cells_dir):
    cells = []
    for path in sorted(glob.glob(os.path.join(cells_dir, "*.meta"))):
        label = path[:-len(".meta")]
        with open(path) as f:
            meta = json.load(f)
        try:
            with open(label + ".json") as f:
                gen = json.load(f)
        except (OSError, ValueError):
            gen = {"messages": 0, "msgs_per_s": 0, "errors": 1, "latency_ms": {},
                   "error_samples": ["generator wrote no result"]}
        msgs = gen.get("messages", 0)
        cpu_s = meta["cpu_ticks"] / meta["clk_tck"]
        cells.append({
            "daemon": meta["daemon"],
            "transport": meta["transport"],
            "workload": meta["workload"],
            "connections": gen.get("connections"),
            "seconds": gen.get("seconds"),
            "messages": msgs,
            "msgs_per_s": gen.get("msgs_per_s"),
            "mb_per_s": gen.get("mb_per_s"),
            "latency_ms": gen.get("latency_ms"),
            "verdicts": gen.get("verdicts"),
            "headers_added": gen.get("headers_added"),
            "negotiated": gen.get("negotiated"),
            "errors": gen.get("errors"),
            "error_samples": gen.get("error_samples"),
            "daemon_cpu_ms_per_msg": round(cpu_s * 1000 / msgs, 4) if msgs else None,
            "daemon_cpu_cores_busy": round(cpu_s / gen["seconds"], 3) if gen.get("seconds") else None,
            "daemon_peak_rss_kb": meta["peak_rss_kb"],
        })
    order = {"sendguard": 0, "opendkim": 1}
    cells.sort(key=lambda c: (c["workload"] != "mix", order.get(c["daemon"], 9), c["transport"], c["connections"] or 0))
    return cells


def load_daemons(cells_dir):
    out = []
    for path in sorted(glob.glob(os.path.join(cells_dir, "*.daemon"))):
        with open(path) as f:
            out.append(json.load(f))
    return out


def read_lines(path):
    try:
        with open(path) as f:
            return [l.rstrip("\n") for l in f if l.strip()]
    except OSError:
        return []


def fmt(v, digits=1):
    return "-" if v is None else f"{v:.{digits}f}"


def table(cells):
    head = ("| daemon | socket | workload | conns | msgs/s | p50 ms | p90 ms | p99 ms | errors "
            "| CPU ms/msg | peak RSS MB |")
    rows = [head, "|---" * 11 + "|"]
    for c in cells:
        lat = c["latency_ms"] or {}
        rss = c["daemon_peak_rss_kb"]
        rows.append(f"| {c['daemon']} | {c['transport']} | {c['workload']} | {c['connections']} "
                    f"| {fmt(c['msgs_per_s'])} | {fmt(lat.get('p50'), 2)} | {fmt(lat.get('p90'), 2)} "
                    f"| {fmt(lat.get('p99'), 2)} | {c['errors']} | {fmt(c['daemon_cpu_ms_per_msg'], 3)} "
                    f"| {fmt(rss / 1024 if rss else None)} |")
    return "\n".join(rows)


def daemon_line(d):
    if "error" in d:
        return f"{d['daemon']} ({d['transport']}): **{d['error']}**"
    rss = d.get("peak_rss_kb")
    extra = ""
    if d["daemon"] == "sendguard":
        extra = f", sessions live at SIGTERM: {d.get('sessions_live_at_stop')}"
    return (f"{d['daemon']} ({d['transport']}): peak RSS {fmt(rss / 1024 if rss else None)} MB, "
            f"stopped on SIGTERM: {d.get('stopped_on_sigterm')}{extra}")


def markdown(m, cells, daemons, micro, speed, cell_seconds, sg_sections):
    out = [f"# sendguard benchmark — {m['date']}", "",
           f"Measured on {m['cores']} cores ({m['cpu_model']}, Linux {m['kernel']}, load average "
           f"{' '.join(m['load_average_at_report'])} when the report was written); the generator "
           f"runs on the same machine and shares those cores. {cell_seconds} s per cell; workload "
           "`mix` cycles through tests/bench/corpus (5 messages, 0.6 KB to 277 KB), `200k` sends only "
           "the 277 KB message with its ~200 KB base64 attachment. Latency is per message, from MAIL to "
           "the final verdict. CPU ms/msg is the daemon's user+sys time (whole process tree) over the "
           "cell divided by the messages; peak RSS is the VmHWM since start, summed over the daemon's "
           "processes.", "",
           table(cells), "", "## Daemon runs", ""]
    out += ["- " + daemon_line(d) for d in daemons]
    out += ["", f"sendguard config sections in this run: {sg_sections or 'none recorded'}. "
            "OpenDKIM: sign-only, RSA-2048, relaxed/relaxed, every message signed."]
    out += ["", "## Micro-benchmarks", ""]
    out += [f"- `{l.split(chr(9))[0]}`: {l.split(chr(9), 1)[-1]}" for l in micro] or ["- none built yet"]
    out += ["", "## openssl speed (same machine, one core)", "", "```"] + speed + ["```", ""]
    out += ["![throughput and p99 latency against connections](latest.png)", ""]
    return "\n".join(out)


def plot(m, cells, results_dir, work_dir):
    series = {}
    for c in cells:
        if c["workload"] == "mix" and c["connections"]:
            series.setdefault(f"{c['daemon']} {c['transport']}", []).append(c)
    if not series:
        return True
    plots_tp, plots_p99 = [], []
    for i, (name, cs) in enumerate(sorted(series.items())):
        data = os.path.join(work_dir, f"series{i}.dat")
        with open(data, "w") as f:
            for c in sorted(cs, key=lambda c: c["connections"]):
                f.write(f"{c['connections']} {c['msgs_per_s'] or 0} {(c['latency_ms'] or {}).get('p99', 0)}\n")
        plots_tp.append(f"'{data}' using 1:2 with linespoints lw 2 title '{name}'")
        plots_p99.append(f"'{data}' using 1:3 with linespoints lw 2 title '{name}'")
    title = f"{m['cores']} cores, {m['cpu_model']}, {m['date']}".replace("'", "")
    script = "\n".join([
        "set terminal pngcairo size 1200,520 font 'sans,10'",
        f"set output '{os.path.join(results_dir, 'latest.png')}'",
        f"set multiplot layout 1,2 title 'sendguard vs OpenDKIM (sign-only) via milter: {title}'",
        "set logscale x 2", "set xtics (1, 8, 32)", "set xlabel 'concurrent milter connections'",
        "set grid", "set key top left",
        "set ylabel 'messages / s'", "set yrange [0:*]",
        "plot " + ", ".join(plots_tp),
        "set ylabel 'p99 latency (ms)'", "set logscale y", "set yrange [*:*]", "set key top left",
        "plot " + ", ".join(plots_p99),
        "unset multiplot",
    ])
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        print("report: gnuplot failed: " + r.stderr.strip(), file=sys.stderr)
        return False
    return True


def main():
    work_dir, results_dir, cell_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    cells_dir = os.path.join(work_dir, "cells")
    m = machine()
    cells = load_cells(cells_dir)
    daemons = load_daemons(cells_dir)
    micro = read_lines(os.path.join(work_dir, "micro.txt"))
    speed = read_lines(os.path.join(work_dir, "openssl-speed.txt"))
    sg_sections = " ".join(read_lines(os.path.join(work_dir, "sendguard-sections.txt")))
    doc = {"machine": m, "cell_seconds": cell_seconds, "sendguard_config_sections": sg_sections, "cells": cells, "daemons": daemons,
           "micro_benchmarks": [dict(zip(("program", "result"), l.split("\t", 1))) for l in micro],
           "openssl_speed": speed}
    os.makedirs(results_dir, exist_ok=True)
    with open(os.path.join(results_dir, "latest.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(os.path.join(results_dir, "latest.md"), "w") as f:
        f.write(markdown(m, cells, daemons, micro, speed, cell_seconds, sg_sections))
    ok = plot(m, cells, results_dir, work_dir)
    print(f"\nMeasured on {m['cores']} cores ({m['cpu_model']}), {m['date']}\n")
    print(table(cells))
    for d in daemons:
        print("  " + daemon_line(d))
    for l in micro:
        print("  micro: " + l.replace("\t", ": "))
    for l in speed:
        print("  openssl: " + l)
    print(f"\nwrote {results_dir}/latest.json, latest.md" + (", latest.png" if ok else ""))
    return 0 if ok and cells else 1


if __name__ == "__main__":
    sys.exit(main())
