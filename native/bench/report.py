#!/usr/bin/env python3
"""Merges the Rust and C# bench results, checks the targets of issue 16, and draws the chart.

Usage: report.py RUST.json CSHARP.json OUT.json OUT.png

Writes OUT.json (both results plus the date and the machine), OUT.png, and next to them a
Markdown summary (OUT with .md) for the README, and prints the
ratio table and which targets were met or missed (with the figures). The exit status is 0
even when targets are missed: missing a target is a finding, not a failure of the bench.
"""
import datetime
import json
import os
import platform
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")  # no display on CI machines
import matplotlib.pyplot as plt  # noqa: E402

PAYLOADS = [16, 1 << 10, 64 << 10, 1 << 20]
SCENARIOS = ["echo", "stream-up", "stream-down"]
SERVERS = ["devian-websocket", "tungstenite"]
PLACEMENTS = ["same CPU", "separate CPUs", "unpinned"]  # where the server ran (see throughput.rs)
PEERS = ["tungstenite"]  # Rust peers measured (fastwebsockets/tokio-tungstenite: see skipped_peers)


def human(n):
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return f"{n >> 20} MiB"
    if n >= 1 << 10 and n % (1 << 10) == 0:
        return f"{n >> 10} KiB"
    return f"{n} B"


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return None

    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "kernel": platform.release(),
        "os": platform.platform(),
        "load_average_at_start": os.environ.get("BENCH_LOAD_START"),
        "load_average_at_end": load,
        "rustc": version(["rustc", "--version"]),
        "mono": version(["mono", "--version"]),
    }


def cell(rust, placement, server, client, scenario, payload):
    for c in rust.get("throughput", []):
        if (c.get("placement", "unpinned"), c["server"], c["client"], c["scenario"], c["payload_bytes"]) == (
                placement, server, client, scenario, payload):
            return c
    return None


def run_ratios(e, t):
    """Min and max of engine ÷ tungstenite run by run (each run of a cell measures every client back to
    back, so run i of one is paired with run i of the other): the spread of the median ratio."""
    pairs = [a / b for a, b in zip(e.get("runs_msgs_per_sec") or [], t.get("runs_msgs_per_sec") or []) if b]
    return (min(pairs), max(pairs)) if pairs else None


def spread(e, t):
    r = run_ratios(e, t)
    return f"{r[0]:.2f}–{r[1]:.2f}" if r else "–"


def placements(rust):
    """The placements this run measured, in table order."""
    seen = {c.get("placement", "unpinned") for c in rust.get("throughput", [])}
    return [p for p in PLACEMENTS if p in seen]


def msgs_per_sec(c):
    return c["msgs_per_sec"]


def check_targets(rust, cs):
    """Issue 16's targets that this run measures. Returns a list of (name, met, details)."""
    targets = []

    def every_cell(name, scenarios, value, better_or_equal):
        """Engine against tungstenite in every (server, scenario, payload) cell measured."""
        misses, checked = [], 0
        for pl in placements(rust):
            for server in SERVERS:
                for scenario in scenarios:
                    for p in PAYLOADS:
                        e = cell(rust, pl, server, "engine", scenario, p)
                        t = cell(rust, pl, server, "tungstenite", scenario, p)
                        ev, tv = (value(e) if e else None), (value(t) if t else None)
                        if ev is None or not tv:
                            continue
                        checked += 1
                        r = ev / tv
                        if not better_or_equal(r):
                            runs = f" (runs {spread(e, t)})" if value is msgs_per_sec else ""
                            misses.append(f"{scenario} {human(p)} vs {server} server, {pl}: {r:.2f}x{runs}")
        if checked:
            details = (f"all {checked} cells met" if not misses else
                       f"{len(misses)} of {checked} cells missed: " + "; ".join(misses))
            targets.append((name, not misses, details))

    # 1. Messages/s at least tungstenite's everywhere.
    every_cell("engine >= 1.0x tungstenite msg/s in every cell", SCENARIOS, msgs_per_sec, lambda r: r >= 1.0)
    # 2. Round trip of 16 B: p50 at most tungstenite's.
    for pl in placements(rust):
        for server in SERVERS:
            e, t = cell(rust, pl, server, "engine", "echo", 16), cell(rust, pl, server, "tungstenite", "echo", 16)
            if e and t and e.get("rtt_p50_us") and t.get("rtt_p50_us"):
                r = e["rtt_p50_us"] / t["rtt_p50_us"]
                targets.append((f"engine 16 B RTT p50 <= tungstenite's ({server} server, {pl})", r <= 1.0,
                                f"{e['rtt_p50_us']:.1f} us vs {t['rtt_p50_us']:.1f} us = {r:.2f}x"))
    # 3. CPU per message no higher than tungstenite's while streaming.
    every_cell("engine CPU per message <= tungstenite's in every streaming cell", ["stream-up", "stream-down"],
               lambda c: c.get("cpu_us_per_msg"), lambda r: r <= 1.0)

    # 4. The C# layer: RTT p50 <= 0.25x ClientWebSocket's and <= 1.3x the engine's own
    #    (same server: ours), streaming >= 0.9x the engine's, 0 B allocated per message.
    if cs:
        by = {(c["client"], c["payload_bytes"]): c for c in cs.get("clients", [])}
        ours, theirs = by.get(("WebSocketClient", 16)), by.get(("ClientWebSocket", 16))
        if ours and theirs and theirs["rtt_p50_us"]:
            r = ours["rtt_p50_us"] / theirs["rtt_p50_us"]
            targets.append(("C# RTT p50 <= 0.25x ClientWebSocket (16 B)", r <= 0.25,
                            f"{ours['rtt_p50_us']:.1f} us vs {theirs['rtt_p50_us']:.1f} us = {r:.2f}x"))
        # The engine alone, measured by the C# bench right after its own runs: same server,
        # same (unpinned) placement.
        alone = {c["payload_bytes"]: c for c in cs.get("engine", [])}
        engine = alone.get(16)
        if ours and engine and engine.get("rtt_p50_us"):
            r = ours["rtt_p50_us"] / engine["rtt_p50_us"]
            targets.append(("C# RTT p50 <= 1.3x the engine's (16 B, our server)", r <= 1.3,
                            f"{ours['rtt_p50_us']:.1f} us vs {engine['rtt_p50_us']:.1f} us = {r:.2f}x"))
        streams = [(p, by[("WebSocketClient", p)]["pipelined_msgs_per_sec"] / e["pipelined_msgs_per_sec"])
                   for p, e in sorted(alone.items())
                   if ("WebSocketClient", p) in by and e.get("pipelined_msgs_per_sec")]
        if streams:
            bad = [f"{human(p)}: {r:.2f}x" for p, r in streams if r < 0.9]
            lowest = min(streams, key=lambda s: s[1])
            targets.append(("C# streaming (64 in flight) msg/s >= 0.9x the engine's at every size", not bad,
                            f"lowest {lowest[1]:.2f}x at {human(lowest[0])}" if not bad
                            else "below at " + "; ".join(bad)))
        allocs = [(c["payload_bytes"], c["allocated_bytes_per_message"]) for c in cs.get("clients", [])
                  if c["client"] == "WebSocketClient"]
        if allocs:
            bad = [f"{human(p)}: {a:.1f} B" for p, a in allocs if a > 0]
            targets.append(("C# WebSocketClient allocates 0 B per message", not bad,
                            "0 B at every payload" if not bad else "; ".join(bad)))

    # 5. Unmasking reaches at least half of memcpy throughput.
    rows = rust.get("masking", [])
    if rows:
        bad = [f"{human(r['size_bytes'])}: {r['ratio_unmask_over_memcpy']:.2f}x" for r in rows
               if r["ratio_unmask_over_memcpy"] < 0.5]
        worst = min(rows, key=lambda r: r["ratio_unmask_over_memcpy"])
        targets.append(("unmask >= 0.5x memcpy (1 KiB..16 MiB)", not bad,
                        f"lowest {worst['ratio_unmask_over_memcpy']:.2f}x at {human(worst['size_bytes'])}"
                        if not bad else "below at " + "; ".join(bad)))
    return targets


def ratio_table(rust, cs):
    lines = ["Engine vs tungstenite client, messages/s (median); ratio = engine / tungstenite; "
             "runs = lowest and highest ratio run by run"]
    lines.append(f"{'placement':<14} {'server':<17} {'scenario':<12} {'payload':>8} {'engine':>10} {'blocking':>10} "
                 f"{'tungstenite':>11} {'ratio':>7} {'runs':>11}")
    for pl in placements(rust):
        for server in SERVERS:
            for scenario in SCENARIOS:
                for p in PAYLOADS:
                    e = cell(rust, pl, server, "engine", scenario, p)
                    b = cell(rust, pl, server, "devian-websocket", scenario, p)
                    t = cell(rust, pl, server, "tungstenite", scenario, p)
                    if not (e and b and t):
                        continue
                    r = e["msgs_per_sec"] / t["msgs_per_sec"] if t["msgs_per_sec"] else 0
                    lines.append(f"{pl:<14} {server:<17} {scenario:<12} {human(p):>8} {e['msgs_per_sec']:>10.0f} "
                                 f"{b['msgs_per_sec']:>10.0f} {t['msgs_per_sec']:>11.0f} {r:>6.2f}x "
                                 f"{spread(e, t):>11}")
    if cs:
        lines.append("")
        lines.append("C#: WebSocketClient vs ClientWebSocket (same Mono, same server)")
        lines.append(f"{'client':<16} {'payload':>8} {'p50 us':>9} {'p99 us':>9} {'msg/s':>9} {'pipelined':>10} {'B/msg':>8}")
        for c in cs.get("clients", []):
            lines.append(f"{c['client']:<16} {human(c['payload_bytes']):>8} {c['rtt_p50_us']:>9.1f} "
                         f"{c['rtt_p99_us']:>9.1f} {c['msgs_per_sec']:>9.0f} {c['pipelined_msgs_per_sec']:>10.0f} "
                         f"{c['allocated_bytes_per_message']:>8.1f}")
        for c in cs.get("engine", []):
            lines.append(f"{'engine (Rust)':<16} {human(c['payload_bytes']):>8} {c['rtt_p50_us']:>9.1f} "
                         f"{'-':>9} {c['msgs_per_sec']:>9.0f} {c['pipelined_msgs_per_sec']:>10.0f} {'-':>8}")
    return "\n".join(lines)


def markdown(merged, targets):
    rust, cs, m = merged["rust"], merged.get("csharp") or {}, merged["machine"]
    out = [f"Run: {merged['date']}, {m['cpu_model']}, {m['nproc']} cores, Linux {m['kernel']}, "
           f"{m['rustc']}, {(m['mono'] or '').replace('Mono JIT compiler version ', 'Mono ')}. "
           f"Load average (1/5/15 min) at start: {m.get('load_average_at_start') or 'n/a'}, at end: "
           + (" ".join(f"{x:.1f}" for x in m["load_average_at_end"]) if m.get("load_average_at_end") else "n/a")
           + ("" if not rust.get("quick") else " **(--quick run)**"), ""]
    out += ["**Targets**", ""]
    for name, met, details in targets:
        out.append(f"- {'met' if met else '**missed**'}: {name} — {details}")
    out += ["", f"**Rust, messages/s on one connection** (median of {rust.get('runs_per_cell')} runs; "
            "ratio = engine ÷ tungstenite client; runs = the lowest and highest ratio run by run)", "",
            "| placement | server | scenario | payload | engine | devian-websocket (blocking) | tungstenite | ratio "
            "| runs |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for pl in placements(rust):
        for server in SERVERS:
            for scenario in SCENARIOS:
                for p in PAYLOADS:
                    e, b, t = (cell(rust, pl, server, c, scenario, p)
                               for c in ("engine", "devian-websocket", "tungstenite"))
                    if e and b and t:
                        r = e["msgs_per_sec"] / t["msgs_per_sec"] if t["msgs_per_sec"] else 0
                        out.append(f"| {pl} | {server} | {scenario} | {human(p)} | {e['msgs_per_sec']:.0f} | "
                                   f"{b['msgs_per_sec']:.0f} | {t['msgs_per_sec']:.0f} | {r:.2f}× | "
                                   f"{spread(e, t)} |")
    out += ["", "**Rust, CPU time per message** (µs, user + system, all of the client's threads; "
            "ratio = engine ÷ tungstenite, lower is better)", "",
            "| placement | server | scenario | payload | engine | devian-websocket (blocking) | tungstenite | ratio |",
            "|---|---|---|---:|---:|---:|---:|---:|"]
    for pl in placements(rust):
        for server in SERVERS:
            for scenario in SCENARIOS:
                for p in PAYLOADS:
                    e, b, t = (cell(rust, pl, server, c, scenario, p)
                               for c in ("engine", "devian-websocket", "tungstenite"))
                    if e and b and t and None not in (e.get("cpu_us_per_msg"), b.get("cpu_us_per_msg"),
                                                      t.get("cpu_us_per_msg")):
                        r = e["cpu_us_per_msg"] / t["cpu_us_per_msg"] if t["cpu_us_per_msg"] else 0
                        out.append(f"| {pl} | {server} | {scenario} | {human(p)} | {e['cpu_us_per_msg']:.2f} | "
                                   f"{b['cpu_us_per_msg']:.2f} | {t['cpu_us_per_msg']:.2f} | {r:.2f}× |")
    out += ["", "**Rust, round-trip time of 16 B echoes** (µs)", "",
            "| placement | server | client | p50 | p99 |", "|---|---|---|---:|---:|"]
    for c in rust.get("throughput", []):
        if c["scenario"] == "echo" and c.get("rtt_p50_us") is not None:
            out.append(f"| {c.get('placement', 'unpinned')} | {c['server']} | {c['client']} | "
                       f"{c['rtt_p50_us']:.1f} | {c['rtt_p99_us']:.1f} |")
    if cs:
        out += ["", "**C# on Mono, same server** (medians)", "",
                "| client | payload | RTT p50 µs | RTT p99 µs | echo msg/s | pipelined msg/s | managed B/message |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        for c in cs.get("clients", []):
            out.append(f"| {c['client']} | {human(c['payload_bytes'])} | {c['rtt_p50_us']:.1f} | {c['rtt_p99_us']:.1f} | "
                       f"{c['msgs_per_sec']:.0f} | {c['pipelined_msgs_per_sec']:.0f} | {c['allocated_bytes_per_message']:.1f} |")
        for c in cs.get("engine", []):
            out.append(f"| engine alone (Rust) | {human(c['payload_bytes'])} | {c['rtt_p50_us']:.1f} | – | "
                       f"{c['msgs_per_sec']:.0f} | {c['pipelined_msgs_per_sec']:.0f} | – |")
    if rust.get("masking"):
        out += ["", "**Unmasking vs memcpy** (GiB/s, median)", "",
                "| size | unmask | memcpy | ratio |", "|---:|---:|---:|---:|"]
        for r in rust["masking"]:
            out.append(f"| {human(r['size_bytes'])} | {r['unmask_gib_per_sec']:.1f} | {r['memcpy_gib_per_sec']:.1f} | "
                       f"{r['ratio_unmask_over_memcpy']:.2f}× |")
    if rust.get("connections"):
        idle = {row["connections"]: row for row in cs.get("idle_update", [])} if cs else {}
        out += ["", "**Many idle connections in one process** (engine; each count in a fresh process)", "",
                "| connections | RSS KiB/connection | threads/connection | idle poll() sweep µs | idle C# Update() sweep µs |",
                "|---:|---:|---:|---:|---:|"]
        for r in rust["connections"]:
            u = idle.get(r["connections"])
            out.append(f"| {r['connections']} | {r['rss_kib_per_connection']:.0f} | {r['threads_per_connection']:.2f} | "
                       f"{r['idle_poll_sweep_us']:.2f} | {u['sweep_us']:.2f} |" if u else
                       f"| {r['connections']} | {r['rss_kib_per_connection']:.0f} | {r['threads_per_connection']:.2f} | "
                       f"{r['idle_poll_sweep_us']:.2f} | – |")
    return "\n".join(out) + "\n"


def render(merged, path):
    rust, cs = merged["rust"], merged.get("csharp") or {}
    fig, axes = plt.subplots(3, 2, figsize=(15, 15))
    fig.suptitle(f"Devian.Network WebSocket bench — {merged['date']} — {merged['machine']['cpu_model']}, "
                 f"{merged['machine']['nproc']} cores", fontsize=12)

    # (a) engine / tungstenite, msg/s and CPU per message, per scenario and payload, both
    # servers, for each placement of the server (up to two columns).
    width = 0.13
    x = range(len(PAYLOADS))
    for col, pl in enumerate(placements(rust)[:2]):
        for row, (key, better, title) in enumerate([
                ("msgs_per_sec", "higher", "msg/s"), ("cpu_us_per_msg", "lower", "CPU per message")]):
            ax = axes[row][col]
            i = 0
            for server in SERVERS:
                for scenario in SCENARIOS:
                    vals = []
                    for p in PAYLOADS:
                        e = cell(rust, pl, server, "engine", scenario, p)
                        t = cell(rust, pl, server, "tungstenite", scenario, p)
                        ok = e and t and e.get(key) is not None and t.get(key)
                        vals.append(e[key] / t[key] if ok else 0)
                    ax.bar([xi + (i - 2.5) * width for xi in x], vals, width, label=f"{scenario} ({server} server)")
                    i += 1
            ax.axhline(1.0, color="black", linestyle="--", linewidth=1, label="target: 1.0 (= tungstenite)")
            ax.set_xticks(list(x))
            ax.set_xticklabels([human(p) for p in PAYLOADS])
            ax.set_ylabel(f"engine ÷ tungstenite, {title}")
            ax.set_xlabel("payload size")
            ax.set_title(f"Engine vs tungstenite, {title}, server on {pl} ({better} is better)")
            ax.legend(fontsize=7)

    # (b) masking vs memcpy.
    ax = axes[2][0]
    rows = rust.get("masking", [])
    if rows:
        sizes = [r["size_bytes"] for r in rows]
        ax.plot(sizes, [r["unmask_gib_per_sec"] for r in rows], marker="o", label="unmask (apply_mask, in place)")
        ax.plot(sizes, [r["memcpy_gib_per_sec"] for r in rows], marker="s", label="memcpy (copy_from_slice)")
        ax.plot(sizes, [r["memcpy_gib_per_sec"] * 0.5 for r in rows], linestyle="--", color="gray",
                label="target: 0.5 × memcpy")
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes)
        ax.set_xticklabels([human(s) for s in sizes], rotation=30)
    ax.set_ylabel("GiB/s")
    ax.set_xlabel("buffer size")
    ax.set_title("Unmasking vs memcpy (median)")
    ax.legend(fontsize=8)

    # (c) C# round-trip time.
    ax = axes[2][1]
    clients = cs.get("clients", [])
    if clients:
        payloads = sorted({c["payload_bytes"] for c in clients})
        for j, (name, q) in enumerate([("WebSocketClient", "p50"), ("ClientWebSocket", "p50"),
                                       ("WebSocketClient", "p99"), ("ClientWebSocket", "p99")]):
            vals = []
            for p in payloads:
                c = next((c for c in clients if c["client"] == name and c["payload_bytes"] == p), None)
                vals.append(c[f"rtt_{q}_us"] if c else 0)
            ax.bar([k + (j - 1.5) * 0.2 for k in range(len(payloads))], vals, 0.2, label=f"{name} {q}")
        ax.set_xticks(range(len(payloads)))
        ax.set_xticklabels([human(p) for p in payloads])
        ax.set_yscale("log")
    ax.set_ylabel("round-trip time, µs (log)")
    ax.set_xlabel("payload size")
    ax.set_title("C# on Mono: ours vs ClientWebSocket (lower is better)")
    ax.legend(fontsize=8)

    # Many connections: see the table in the .md (the chart keeps to speed).
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=110)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    rust_path, cs_path, out_json, out_png = sys.argv[1:]
    with open(rust_path) as f:
        rust = json.load(f)
    cs = None
    if os.path.exists(cs_path):
        with open(cs_path) as f:
            cs = json.load(f)
    merged = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "rust": rust,
        "csharp": cs,
    }
    targets = check_targets(rust, cs)
    merged["targets"] = [{"target": n, "met": m, "details": d} for n, m, d in targets]
    with open(out_json, "w") as f:
        json.dump(merged, f, indent=2)
        f.write("\n")
    render(merged, out_png)
    out_md = os.path.splitext(out_json)[0] + ".md"
    with open(out_md, "w") as f:
        f.write(markdown(merged, targets))

    print(ratio_table(rust, cs))
    print()
    print("Targets (issue 16; not measured here: C# streaming against the engine):")
    for name, met, details in targets:
        print(f"  [{'MET ' if met else 'MISS'}] {name}: {details}")
    if not cs:
        print("  [----] C# targets: no C# results")
    print(f"\nwrote {out_json}, {out_png} and {out_md}")


if __name__ == "__main__":
    main()
