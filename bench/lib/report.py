#!/usr/bin/env python3
"""Turn raw benchmark samples into a Markdown results page and PNG plots.

usage: report.py RES OUTDIR [PREFIX]

  RES     results directory holding samples.tsv, sizes.tsv and meta.txt
  OUTDIR  where to write PREFIX.md and PREFIX-<workspace>.png (e.g. docs/)
  PREFIX  output name prefix (default: benchmarks)

samples.tsv: header, then workspace, system, scenario, run, ms, compiled ('-' = unknown)
sizes.tsv:   header, then workspace, system, arch, zip_bytes, image_bytes ('-' = n/a)
meta.txt:    key=value lines, all printed in the Setup section

Text after the "<!-- findings -->" marker of an existing PREFIX.md is kept.
Needs gnuplot (Debian: apt-get install gnuplot-nox). Exits 2 on bad input.
"""
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict

SYSTEMS = ["lambda-make prod", "lambda-make dev", "cargo-chef", "cache-mount",
           "cargo-lambda", "legacy", "native"]
SCENARIOS = ["cold", "edit", "dep-edit", "version-bump", "no-op"]
BASELINE = "lambda-make prod"
MARKER = "<!-- findings -->"
DASH = "–"
# Okabe-Ito colours (colour-blind safe), fixed per system so plots compare across workspaces.
COLOURS = dict(zip(SYSTEMS, ["#0072B2", "#56B4E9", "#E69F00", "#009E73",
                             "#CC79A7", "#D55E00", "#555555"]))
EXTRA_COLOURS = ["#F0E442", "#000000", "#8C564B", "#17BECF"]


class Fail(Exception):
    pass


def ordered(names, known):
    """Known names in their canonical order, then unknown ones as first seen."""
    seen = list(dict.fromkeys(names))
    return [n for n in known if n in seen] + [n for n in seen if n not in known]


def read_tsv(path, ncols):
    """Yield (line number, fields) for the data rows, skipping the header."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise Fail(f"{path}: cannot read: {e.strerror}")
    if not lines:
        raise Fail(f"{path}:1: empty file, expected a header line")
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != ncols:
            raise Fail(f"{path}:{n}: expected {ncols} tab-separated fields, got {len(fields)}")
        yield n, fields


def number(path, n, what, text, dash_ok=False):
    if dash_ok and text == "-":
        return None
    if not re.fullmatch(r"[0-9]+", text):
        raise Fail(f"{path}:{n}: {what} must be a non-negative integer"
                    f"{' or -' if dash_ok else ''}, got {text!r}")
    return int(text)


def load(res):
    samples = defaultdict(list)  # (ws, system, scenario) -> [(ms, compiled or None)]
    runs = set()
    path = os.path.join(res, "samples.tsv")
    for n, (ws, system, scen, run, ms, compiled) in read_tsv(path, 6):
        key = (ws, system, scen, number(path, n, "run", run))
        if key in runs:
            raise Fail(f"{path}:{n}: duplicate sample for run {run} of {ws}/{system}/{scen}")
        runs.add(key)
        samples[ws, system, scen].append(
            (number(path, n, "ms", ms), number(path, n, "compiled", compiled, True)))
    if not samples:
        raise Fail(f"{path}: no samples")

    path = os.path.join(res, "sizes.tsv")
    sizes = [(ws, system, arch, number(path, n, "zip_bytes", z, True),
              number(path, n, "image_bytes", i, True))
             for n, (ws, system, arch, z, i) in read_tsv(path, 5)]

    path = os.path.join(res, "meta.txt")
    meta = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise Fail(f"{path}: cannot read: {e.strerror}")
    for n, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, eq, value = line.partition("=")
        if not eq or not key.strip():
            raise Fail(f"{path}:{n}: expected key=value, got {line!r}")
        meta.append((key.strip(), value.strip()))
    return samples, sizes, meta


def fmt_time(median, lo, hi, n):
    # Sub-second cells (no-op) in ms, the rest in seconds; the range uses the median's unit.
    if median < 1000:
        f = lambda v: f"{v:.0f}"
        unit = "ms"
    else:
        f = lambda v: f"{v / 1000:.1f}"
        unit = "s"
    if n == 1:
        return f"{f(median)} {unit} (n=1)"
    return f"{f(median)} {unit} ({f(lo)}–{f(hi)}, n={n})"


def fmt_ratio(r):
    return f"{r:.3f}x" if r < 0.1 else f"{r:.2f}x" if r < 10 else f"{r:.1f}x" if r < 100 else f"{r:.0f}x"


def fmt_bytes(b):
    if b is None:
        return DASH
    v, unit = float(b), "B"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if v < 1024 or unit == "GiB":
            break
        v /= 1024
    short = f"{v:.0f}" if v >= 100 or unit == "B" else f"{v:.1f}" if v >= 10 else f"{v:.2f}"
    return f"{b:,} ({short} {unit})"


def md_cell(text):
    return text.replace("|", "\\|")


def md_table(head, rows, text_cols=1):
    out = ["| " + " | ".join(map(md_cell, head)) + " |",
           "|---" * text_cols + "|---:" * (len(head) - text_cols) + "|"]
    out += ["| " + " | ".join(map(md_cell, r)) + " |" for r in rows]
    return out


def safe_name(s):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", s)


def stats(cell):
    ms = [m for m, _ in cell]
    return statistics.median(ms), min(ms), max(ms), len(ms)


def layout(samples):
    """Workspaces, and for each its systems and scenarios in canonical order."""
    out = {}
    for ws in dict.fromkeys(k[0] for k in samples):
        keys = [k for k in samples if k[0] == ws]
        out[ws] = (ordered([k[1] for k in keys], SYSTEMS),
                   ordered([k[2] for k in keys], SCENARIOS))
    return out


def markdown(samples, sizes, meta, prefix, findings):
    date = dict(meta).get("date", "")
    out = [f"# lambda-make benchmarks{' (' + date + ')' if date else ''}", "",
           "<!-- Generated by bench/lib/report.py: edit only below the findings marker. -->",
           "", "## Setup", ""]
    out += [f"- **{k}**: {v}" for k, v in meta] or ["(no meta.txt entries)"]
    for ws, (systems, scens) in layout(samples).items():
        out += ["", f"## {ws}", "",
                "Wall time per build: median (min–max, n = runs).", ""]
        out += md_table(["system"] + scens, [
            [s] + [fmt_time(*stats(samples[ws, s, c])) if (ws, s, c) in samples else DASH
                   for c in scens] for s in systems])

        out += ["", f"Median relative to {BASELINE}: system median / {BASELINE} median "
                "(below 1x is faster than lambda-make prod).", ""]
        rows = []
        for s in systems:
            row = [s]
            for c in scens:
                mine, base = samples.get((ws, s, c)), samples.get((ws, BASELINE, c))
                bm = base and stats(base)[0]
                row.append(fmt_ratio(stats(mine)[0] / bm) if mine and bm else DASH)
            rows.append(row)
        out += md_table(["system"] + scens, rows)

        out += ["", "Crates compiled (median of what cargo reported).", ""]
        rows = []
        for s in systems:
            row = [s]
            for c in scens:
                known = [k for _, k in samples.get((ws, s, c), []) if k is not None]
                row.append(f"{statistics.median(known):g}" if known else DASH)
            rows.append(row)
        out += md_table(["system"] + scens, rows)
        out += ["", f"![{ws}: median wall time per scenario]({prefix}-{safe_name(ws)}.png)"]

    out += ["", "## Sizes", ""]
    if sizes:
        wss = ordered([r[0] for r in sizes], list(dict.fromkeys(k[0] for k in samples)))
        syss = ordered([r[1] for r in sizes], SYSTEMS)
        archs = ordered([r[2] for r in sizes], [])
        key = lambda r: (wss.index(r[0]), syss.index(r[1]), archs.index(r[2]))
        out += md_table(["workspace", "system", "arch", "zip bytes", "image bytes"],
                        [[w, s, a, fmt_bytes(z), fmt_bytes(i)]
                         for w, s, a, z, i in sorted(sizes, key=key)], text_cols=3)
    else:
        out += ["(no sizes recorded)"]
    out += ["", "## Findings", "", MARKER]
    return "\n".join(out) + findings


def write_atomic(path, data):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".report.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def gp_str(s):
    # gnuplot single-quoted strings take no escapes except '' for a quote.
    return "'" + s.replace("'", "''") + "'"


def gnuplot_terminal():
    if not shutil.which("gnuplot"):
        raise Fail("gnuplot not found on PATH; install it (Debian: apt-get install gnuplot-nox)")
    ok = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"],
                        capture_output=True).returncode == 0
    return "pngcairo" if ok else "png"


def colour(system):
    if system in COLOURS:
        return COLOURS[system]
    # Unknown systems: stable pick from the name so reruns keep the same colour.
    return EXTRA_COLOURS[sum(system.encode()) % len(EXTRA_COLOURS)]


def plot(ws, systems, scens, samples, date, terminal, tmpdir, out_png):
    data = os.path.join(tmpdir, safe_name(ws) + ".dat")
    values = []
    with open(data, "w", encoding="utf-8") as f:
        for c in scens:
            row = [c.replace("\t", " ")]
            for s in systems:
                if (ws, s, c) in samples:
                    # Log axis: a 0 ms sample would be off the chart, so floor at 1 ms.
                    m, lo, hi = (max(v, 1) / 1000 for v in stats(samples[ws, s, c])[:3])
                    row += [f"{m:g}", f"{lo:g}", f"{hi:g}"]
                    values += [lo, hi]
                else:
                    row += ["?"] * 3
            f.write("\t".join(row) + "\n")
    # Bars rise from the axis floor, so keep it a decade clear of the smallest value.
    ymin = 10 ** math.floor(math.log10(min(values) / 1.5))
    title = f"{ws}: median wall time per scenario{', ' + date if date else ''}"
    # Titles and labels are free text: noenhanced stops '_' turning into subscripts.
    script = f"""
set terminal {terminal} size 1200,600 noenhanced font "sans,11"
set output {gp_str(out_png)}
set encoding utf8
set title {gp_str(title)}
set datafile separator "\\t"
set datafile missing "?"
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set logscale y
set yrange [{ymin:g}:*]
set format y "%g"
set ylabel "seconds (log scale), error bars = min-max"
set grid ytics
set key outside right top vertical Left reverse width 2 noautotitle
set rmargin at screen 0.80
set xtics nomirror
set ytics nomirror
set border 3
plot """ + ", \\\n     ".join(
        f"{gp_str(data)} using {2 + 3 * i}:{3 + 3 * i}:{4 + 3 * i}:xtic(1) "
        f"title {gp_str(s)} lc rgb {gp_str(colour(s))}"
        for i, s in enumerate(systems)) + "\n"
    script_path = os.path.join(tmpdir, safe_name(ws) + ".gp")
    with open(script_path, "w", encoding="utf-8") as f:
        f.write(script)
    r = subprocess.run(["gnuplot", script_path], capture_output=True, text=True)
    if r.returncode != 0:
        raise Fail(f"gnuplot failed for {ws}: {r.stderr.strip()}")


def main(argv):
    if any(a in ("-h", "--help") for a in argv) or not 2 <= len(argv) <= 3:
        print(__doc__.strip(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    res, outdir = argv[0], argv[1]
    prefix = argv[2] if len(argv) > 2 else "benchmarks"
    samples, sizes, meta = load(res)
    terminal = gnuplot_terminal()
    if not os.path.isdir(outdir):
        raise Fail(f"{outdir}: output directory does not exist")

    md_path = os.path.join(outdir, prefix + ".md")
    findings = "\n\n_No findings written yet._\n"
    try:
        with open(md_path, encoding="utf-8") as f:
            old = f.read()
        # Without the marker we cannot tell generated text from a human's: don't clobber it.
        if MARKER not in old:
            raise Fail(f"{md_path}: exists but has no {MARKER} marker; refusing to overwrite")
        findings = old.split(MARKER, 1)[1]
    except FileNotFoundError:
        pass

    date = dict(meta).get("date", "")
    with tempfile.TemporaryDirectory(prefix="report.") as tmpdir:
        for ws, (systems, scens) in layout(samples).items():
            png = os.path.join(outdir, f"{prefix}-{safe_name(ws)}.png")
            # gnuplot writes into OUTDIR so the final os.replace stays on one filesystem.
            fd, tmp_png = tempfile.mkstemp(dir=outdir, prefix=".report.", suffix=".png")
            os.close(fd)
            try:
                plot(ws, systems, scens, samples, date, terminal, tmpdir, tmp_png)
                os.chmod(tmp_png, 0o644)
                os.replace(tmp_png, png)
            except BaseException:
                os.unlink(tmp_png)
                raise
    write_atomic(md_path, markdown(samples, sizes, meta, prefix, findings))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Fail as e:
        print(f"report.py: {e}", file=sys.stderr)
        sys.exit(2)
