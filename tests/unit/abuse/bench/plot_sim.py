#!/usr/bin/python3
"""plot_sim.py RESULTS.json OUT.png [TITLE] — one picture of an abuse_sim run.

Three panels: detection per compromise style (bars, with the 95% target),
messages escaped before the first restricting action (or alert, for an
exempt sender) per style (dots, one per compromise, with the p95 target of
50), and false restrictions per 10,000 identities of each type per day (bars,
suspensions stacked on other restrictions, with the 1/10k/day target for
suspensions). Needs python3-matplotlib (Debian). Exit 0 when written.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def by_style(compromises):
    styles = {}
    for c in compromises:
        styles.setdefault(c["style"], []).append(c)
    return dict(sorted(styles.items()))


def plot_detection(ax, styles):
    names = list(styles)
    rates = [100.0 * sum(c["detected"] for c in cs) / len(cs) for cs in styles.values()]
    bars = ax.bar(names, rates, color="tab:green")
    for b, cs in zip(bars, styles.values()):
        ax.text(b.get_x() + b.get_width() / 2, b.get_height() + 1,
                f"{sum(c['detected'] for c in cs)}/{len(cs)}", ha="center", fontsize=8)
    ax.axhline(95, color="tab:red", linestyle="--", linewidth=1, label="target 95%")
    ax.set_ylim(0, 110)
    ax.set_ylabel("detected (%)")
    ax.set_title("Detection per compromise style")
    ax.legend(loc="lower right", fontsize=8)
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)


def plot_escaped(ax, styles):
    for i, cs in enumerate(styles.values()):
        ys = [max(c["escaped"], 0.8) for c in cs]
        xs = [i + (j % 7 - 3) * 0.04 for j in range(len(ys))]
        colors = ["tab:blue" if c["detected"] else "tab:red" for c in cs]
        ax.scatter(xs, ys, s=14, c=colors, alpha=0.8)
    ax.axhline(50, color="tab:red", linestyle="--", linewidth=1, label="target p95 <= 50")
    ax.set_yscale("log")
    ax.set_xticks(range(len(styles)))
    ax.set_xticklabels(list(styles), rotation=20, fontsize=8)
    ax.set_ylabel("messages escaped (log)")
    ax.set_title("Escaped before the first action (red: never detected)")
    ax.legend(loc="upper right", fontsize=8)


def plot_false(ax, kinds, days):
    names = [k["kind"] for k in kinds]
    per = [10000.0 / k["identities"] / days if k["identities"] and days else 0 for k in kinds]
    susp = [k["false_suspensions"] * p for k, p in zip(kinds, per)]
    other = [(k["false_restrictions"] - k["false_suspensions"]) * p for k, p in zip(kinds, per)]
    ax.bar(names, susp, color="tab:red", label="suspensions")
    ax.bar(names, other, bottom=susp, color="tab:orange", label="throttle / hold")
    ax.axhline(1, color="tab:red", linestyle="--", linewidth=1, label="target: 1 suspension")
    for i, k in enumerate(kinds):
        ax.text(i, susp[i] + other[i], f"n={k['false_restrictions']}", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("per 10,000 identities of the type per day")
    ax.set_title("False restrictions by identity type")
    ax.legend(fontsize=8)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        r = json.load(f)
    s = r["summary"]
    title = sys.argv[3] if len(sys.argv) > 3 else r["policy"]
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    styles = by_style(r["compromises"])
    plot_detection(axes[0], styles)
    plot_escaped(axes[1], styles)
    plot_false(axes[2], r["kinds"], r["measured_days"])
    o = r["options"]
    fig.suptitle(f"abuse_sim: {title} — {o['identities']} identities, {o['weeks']} weeks "
                 f"({o['learning_days']} learning days), seed {o['seed']}; detection "
                 f"{100 * s['detection_rate']:.0f}%, escaped median {s['escaped_median']:.0f} "
                 f"p95 {s['escaped_p95']:.0f}, false suspensions "
                 f"{s['false_suspensions_per_10k_per_day']:.2f}/10k/day, "
                 f"{r['engine_events_per_second'] / 1e3:.0f}k events/s", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    fig.savefig(sys.argv[2], dpi=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
