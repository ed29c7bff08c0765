#!/usr/bin/python3
"""tests/agreement/compare.py — how far sendguard's rule hits agree with
SpamAssassin's on the same messages and the same rule files.

Inputs: the oracle's JSON lines (sa_oracle.pl), `sendguard scan --list`
output (FILE, score, hits, sub-rules; tab-separated) and `sendguard lint
--list` output (RULE, state; only rules whose state is "loaded" count).
A hit is (message, rule) for any rule, scoring or "__"; counted once per
message. For each loaded rule: agree (both hit), sendguard only, SpamAssassin
only; overall precision = agree / (agree + sendguard only), recall =
agree / (agree + SpamAssassin only). Score agreement compares sendguard's
total with the sum of SpamAssassin's scores over the loaded rules it hit.

Exit 0 when precision and recall reach --min-precision / --min-recall and
(with --known) every disagreeing rule is listed in the known-differences
file; 1 otherwise; 2 on bad input. Writes a markdown report with --report.
"""
import argparse
import json
import sys


def read_sa(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if "file" not in rec:
                continue
            hits = set(rec["hits"]) | set(rec["subrules"])
            out[rec["file"]] = (hits, rec["hits"], float(rec["score"]))
    return out


def read_sendguard(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 4:
                raise ValueError(f"{path}: bad line: {line!r}")
            names = {n for n in (fields[2] + "," + fields[3]).split(",") if n}
            out[fields[0]] = (names, float(fields[1]))
    return out


def read_loaded(path):
    with open(path, encoding="utf-8") as f:
        return {l.split("\t")[0] for l in f if l.rstrip("\n").split("\t")[1:2] == ["loaded"]}


def read_known(path):
    known = {}
    if not path:
        return known
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" ")
            if not reason.strip():
                raise ValueError(f"{path}:{n}: {name} has no reason")
            known[name] = reason.strip()
    return known


def tally(sa, sg, loaded):
    per_rule = {}
    score_rows = []
    for file, (sa_hits, sa_scores, sa_total) in sa.items():
        if file not in sg:
            raise ValueError(f"sendguard has no result for {file}")
        sg_hits, sg_score = sg[file]
        for rule in (sa_hits | sg_hits) & loaded:
            c = per_rule.setdefault(rule, [0, 0, 0])
            c[0 if rule in sa_hits and rule in sg_hits else 1 if rule in sg_hits else 2] += 1
        sa_loaded = sum(v for r, v in sa_scores.items() if r in loaded)
        score_rows.append((file, sg_score, sa_loaded, sa_total))
    return per_rule, score_rows


def ratio(a, b):
    return a / b if b else 1.0


def report(per_rule, score_rows, known, loaded, out):
    agree = sum(c[0] for c in per_rule.values())
    sg_only = sum(c[1] for c in per_rule.values())
    sa_only = sum(c[2] for c in per_rule.values())
    precision, recall = ratio(agree, agree + sg_only), ratio(agree, agree + sa_only)
    bad = sorted((r for r, c in per_rule.items() if c[1] or c[2]),
                 key=lambda r: -(per_rule[r][1] + per_rule[r][2]))
    exact = sum(1 for _, sg, sa, _ in score_rows if abs(sg - sa) < 0.005)
    mean_diff = ratio(sum(abs(sg - sa) for _, sg, sa, _ in score_rows), len(score_rows))
    print(f"messages {len(score_rows)}, loaded rules {len(loaded)}, rules hit {len(per_rule)}", file=out)
    print(f"hits: agree {agree}, sendguard only {sg_only}, SpamAssassin only {sa_only}", file=out)
    print(f"precision {100 * precision:.1f}%, recall {100 * recall:.1f}%, "
          f"rules disagreeing {len(bad)}", file=out)
    print(f"score over loaded rules: equal on {exact} of {len(score_rows)} messages, "
          f"mean |difference| {mean_diff:.3f}", file=out)
    print("\n| rule | agree | sendguard only | SpamAssassin only | precision | recall | known |", file=out)
    print("|---|---:|---:|---:|---:|---:|---|", file=out)
    for r in bad:
        a, p, n = per_rule[r]
        print(f"| {r} | {a} | {p} | {n} | {100 * ratio(a, a + p):.0f}% | {100 * ratio(a, a + n):.0f}% "
              f"| {known.get(r, '')} |", file=out)
    print("\n| message | sendguard score | SpamAssassin (loaded rules) | SpamAssassin (all) |", file=out)
    print("|---|---:|---:|---:|", file=out)
    for f, sg, sa, total in score_rows:
        if abs(sg - sa) >= 0.005:
            print(f"| {f} | {sg:.3f} | {sa:.3f} | {total:.3f} |", file=out)
    return precision, recall, [r for r in bad if r not in known]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sa", required=True)
    ap.add_argument("--sendguard", required=True)
    ap.add_argument("--loaded", required=True)
    ap.add_argument("--known")
    ap.add_argument("--report")
    ap.add_argument("--min-precision", type=float, default=0)
    ap.add_argument("--min-recall", type=float, default=0)
    args = ap.parse_args()
    try:
        loaded = read_loaded(args.loaded)
        per_rule, rows = tally(read_sa(args.sa), read_sendguard(args.sendguard), loaded)
        known = read_known(args.known)
    except (OSError, ValueError) as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2
    out = open(args.report, "w", encoding="utf-8") if args.report else sys.stdout
    precision, recall, unexplained = report(per_rule, rows, known, loaded, out)
    if out is not sys.stdout:
        out.close()
    print(f"agreement: precision {100 * precision:.2f}%, recall {100 * recall:.2f}%, "
          f"{len(unexplained)} disagreeing rules not in the known-differences file")
    ok = precision >= args.min_precision and recall >= args.min_recall
    if args.known and unexplained:
        print("not explained: " + " ".join(unexplained))
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
