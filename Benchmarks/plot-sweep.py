"""Draws Benchmarks/publish-sweep.sh's JSON lines as PNG files (medians over rounds).

    python plot-sweep.py RESULTS.jsonl OUTPUT_DIR
"""
import json
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {"pushpind": ("tab:blue", "o"), "nchan": ("tab:green", "s"), "pushpin": ("tab:red", "^")}


def medians(rows, series, x_key, value):
    """{system: [(x, median of value over rounds)]} for one series, x ascending."""
    values = defaultdict(list)
    for row in rows:
        if row.get("series") == series and row.get(value) is not None:
            values[(row["system"], row[x_key])].append(row[value])
    out = defaultdict(list)
    for (system, x), vs in sorted(values.items(), key=lambda item: (item[0][0], item[0][1])):
        out[system].append((x, statistics.median(vs)))
    return out


def draw(ax, curves, title, xlabel, ylabel, logx=False, logy=False):
    for system, points in curves.items():
        color, marker = STYLE.get(system, ("gray", "x"))
        ax.plot([p[0] for p in points], [p[1] for p in points], marker=marker, color=color, label=system)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()


def pair(rows, series, xlabel, path, logx):
    """Deliveries/s and p99 latency side by side against one parameter."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    draw(left, medians(rows, series, "x", "deliveries_per_sec"), "deliveries/s", xlabel, "deliveries/s", logx)
    draw(right, medians(rows, series, "x", "latency_ms_p99"), "delivery latency p99", xlabel, "ms", logx, logy=True)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main():
    source, out_dir = sys.argv[1], sys.argv[2]
    with open(source) as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    pair(rows, "subscribers", "subscribers (10 channels)", f"{out_dir}/sweep-subscribers.png", logx=True)
    pair(rows, "size", "message size, bytes (1,000 subscribers)", f"{out_dir}/sweep-size.png", logx=True)
    pair(rows, "shards", "pushpind shards / Nchan workers (5,000 subscribers)", f"{out_dir}/sweep-shards.png", logx=False)

    memory = defaultdict(list)
    for row in rows:
        if row.get("series") == "subscribers" and row.get("bytes_per_connection") and row.get("subscribed"):
            memory[(row["system"], row["subscribed"])].append(row["bytes_per_connection"] * row["subscribed"] / 2**20)
    curves = defaultdict(list)
    for (system, held), vs in sorted(memory.items()):
        curves[system].append((held, statistics.median(vs)))
    fig, ax = plt.subplots(figsize=(6, 4.2))
    draw(ax, curves, "RSS growth while holding streams", "held connections", "MiB over the idle process", logx=True, logy=True)
    fig.tight_layout()
    fig.savefig(f"{out_dir}/sweep-memory.png", dpi=90)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4.2))
    draw(ax, medians(rows, "api", "connections", "requests_per_sec"), "publish API (1 item, no subscribers)",
         "publisher connections (kept alive)", "requests/s", logx=True)
    fig.tight_layout()
    fig.savefig(f"{out_dir}/sweep-api.png", dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    main()
