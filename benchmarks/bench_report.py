"""`make bench-report`: the report notebooks at corpus scale — wall time, page size, peak memory.

For each size (``--sizes seeds,2000,10000,100000``) this runs ``kz report`` the way an analyst does on a
large corpus: the synthetic corpus (``benchmarks/synth.py``, cached in ``data/interim/synth/``) for the
article texts and a Parquet ledger extracted from it once (``kz extract --out``, cached beside it, not
timed; the notebooks then read its text tables instead of the texts) passed as ``--param ledger=…``; the seeds
run on ``data/corpus.csv`` alone; ``seedcopies`` is the five seeds 2,000 times (ids made unique: repeated wire
copy), as a JSONL corpus with its ledger. A ledger whose text tables are missing or stale is extracted again.
Printed per size and
notebook: the run time and HTML export time ``kz report`` reports, the HTML size of the page; per size: the
wall time of the whole command, the peak resident memory of the command and all its descendants (the
kernels included: their RSS summed, sampled every 0.2 s with psutil), the largest page, and the ratio of
each time to a linear extrapolation from the 2,000-article run (1.0 = linear; 5.0 = five times slower than
linear). Results also go to ``benchmarks/results/report-<timestamp>.json`` (gitignored).

    .venv/bin/python benchmarks/bench_report.py --sizes seeds,2000,10000 [--timeout 1800] [--jobs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_extract import machine  # noqa: E402  (the same machine line as `make bench`)

RESULTS = HERE / "results"
CORPORA = ROOT / "data" / "interim" / "synth"
BASE = 2000  # the size the linear extrapolation starts from
PAGE_TARGET_MB = 5.0
# "[3/6] 03_casualties ... ok (11.2 s; kernel 3.9 s + warm 0.3 s, waited 1.2 s, run 11.2 s from +6.7 s, html 1.0 s, ...)"
NOTEBOOK_LINE = re.compile(r"^\[\d+/\d+\] (?P<name>\S+) \.\.\. (?P<status>\w+)(?P<rest>.*)$")
RUN = re.compile(r"run (?P<run>[\d.]+) s|^ \((?P<total>[\d.]+) s")  # the older runner's phases, or the newer one's total
HTML = re.compile(r"html (?P<html>[\d.]+) s")


SEED_COPIES = 2000    # `--sizes seedcopies`: the five seeds this many times (wire copy repeats like that)


def corpus_for(size: str, seed: int) -> tuple[Path, Path | None]:
    """(corpus, ledger) for a size: the seeds alone, the seeds copied SEED_COPIES times, or a synthetic corpus;
    each but the seeds with its ledger (and text tables) extracted once."""
    if size == "seeds":
        return ROOT / "data" / "corpus.csv", None
    if size == "seedcopies":
        folder = CORPORA / f"seeds_x{SEED_COPIES}"
        if not (folder / "copies.jsonl").exists():
            write_seed_copies(folder / "copies.jsonl", SEED_COPIES)
    else:
        folder = CORPORA / f"n{int(size)}_seed{seed}"
        if not (folder / ".synth.json").exists():
            subprocess.run([sys.executable, str(HERE / "synth.py"), "--articles", str(int(size)), "--out", str(folder),
                            "--seed", str(seed)], check=True)
    ledger = folder.parent / f"{folder.name}.ledger.parquet"
    from kzlib.text_tables import stored_tables_problem

    stale = "no ledger yet" if not ledger.exists() else stored_tables_problem(ledger)
    if stale:
        print(f"  extracting {ledger}: {stale}")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kzlib.cli", "extract", str(folder), "--out", str(ledger)], check=True)
        print(f"  ledger and text tables extracted once: {ledger} ({time.perf_counter() - started:.0f} s, not counted)")
    return folder, ledger


def write_seed_copies(path: Path, copies: int) -> None:
    """The seed articles `copies` times as one JSONL corpus, ids made unique, texts and metadata unchanged."""
    from kzlib.corpus import load_corpus

    articles = load_corpus(ROOT / "data" / "corpus.csv").articles
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for k in range(copies):
            for a in articles:
                out.write(json.dumps({"id": f"{a.id}-{k:04d}", "text": a.text, "outlet": a.outlet, "date": a.date,
                                      "headline": a.headline}, ensure_ascii=False) + "\n")


class TreeMemory:
    """Peak summed RSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.2):
        import psutil

        self._root, self._every, self.peak_mb = psutil.Process(pid), every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        import psutil

        while not self._stop.is_set():
            total = 0
            try:
                for process in [self._root, *self._root.children(recursive=True)]:
                    try:
                        total += process.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            self.peak_mb = max(self.peak_mb, total / 2**20)
            self._stop.wait(self._every)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def run_report(size: str, seed: int, timeout: int, jobs: int | None) -> dict:
    corpus, ledger = corpus_for(size, seed)
    out = Path(tempfile.mkdtemp(prefix=f"bench-report-{size}-"))
    command = [sys.executable, "-m", "kzlib.cli", "report", "--corpus", str(corpus), "--out", str(out / "report"),
               "--timeout", str(timeout)]
    if ledger:
        command += ["--param", f"ledger={ledger}"]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    memory = TreeMemory(process.pid)
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        print(f"  {lines[-1]}", flush=True)  # kz report's own progress lines, as they come
    process.wait()
    wall = time.perf_counter() - started
    peak = memory.stop()
    notebooks = {}
    for line in lines:
        match = NOTEBOOK_LINE.match(line)
        if match:
            run, html = RUN.search(match["rest"]), HTML.search(match["rest"])
            seconds = (run["run"] or run["total"]) if run else None
            notebooks[match["name"]] = {"status": match["status"], "run_s": float(seconds) if seconds else None,
                                        "html_s": float(html["html"]) if html else None}
    for page in sorted((out / "report" / "html").glob("*.html")):
        notebooks.setdefault(page.stem, {})["html_mb"] = round(page.stat().st_size / 2**20, 2)
    return {"size": size, "corpus": str(corpus), "ledger": str(ledger) if ledger else None, "ok": process.returncode == 0,
            "returncode": process.returncode, "wall_s": round(wall, 1), "peak_rss_mb": round(peak),
            "notebooks": notebooks, "output": str(out), "log_tail": lines[-15:]}


def _ratio(value, base, size) -> str:
    if value is None or base in (None, 0) or not size.isdigit():
        return "-"
    return f"{value / (base * int(size) / BASE):.2f}"


def print_results(results: list[dict]) -> None:
    base = next((r for r in results if r["size"] == str(BASE)), None)
    names = sorted({n for r in results for n in r["notebooks"]})
    print()
    print(f"{'size':>8} {'notebook':<20} {'status':<7} {'run s':>8} {'html s':>7} {'page MB':>8} {'x linear':>9}")
    for r in results:
        for name in names:
            nb = r["notebooks"].get(name, {})
            base_run = base["notebooks"].get(name, {}).get("run_s") if base else None
            print(f"{r['size']:>8} {name:<20} {nb.get('status', '-'):<7} {nb.get('run_s') or 0:>8.1f} "
                  f"{nb.get('html_s') or 0:>7.1f} {nb.get('html_mb', 0):>8.2f} {_ratio(nb.get('run_s'), base_run, r['size']):>9}")
        largest = max((nb.get("html_mb", 0) for nb in r["notebooks"].values()), default=0)
        print(f"{r['size']:>8} {'ALL (kz report)':<20} {'ok' if r['ok'] else 'FAILED':<7} {r['wall_s']:>8.1f} {'':>7} "
              f"{largest:>8.2f} {_ratio(r['wall_s'], base['wall_s'] if base else None, r['size']):>9}"
              f"   peak RSS (kernels included) {r['peak_rss_mb']:,} MB; largest page {largest:.2f} MB"
              f" ({'within' if largest <= PAGE_TARGET_MB else 'OVER'} {PAGE_TARGET_MB:g} MB)")
        if not r["ok"]:
            print("   last lines:\n   " + "\n   ".join(r["log_tail"]))
    sizes = {r["size"]: r for r in results}
    if "10000" in sizes and "100000" in sizes:
        print(f"10k -> 100k report time x{sizes['100000']['wall_s'] / sizes['10000']['wall_s']:.1f} (target <= 12)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="seeds,2000,10000,100000",
                        help="comma-separated: 'seeds', 'seedcopies' (the seeds 2,000 times) and/or numbers of "
                             "synthetic articles")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=int, default=1800, help="kz report --timeout (per cell, seconds)")
    parser.add_argument("--jobs", type=int, default=None, help="kz report --jobs (default: its own)")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        if size not in ("seeds", "seedcopies") and not size.isdigit():
            parser.error(f"--sizes: {size!r} is neither 'seeds', 'seedcopies' nor a number of articles")
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB, Python {info['python']}")
    results = []
    for size in sizes:
        print(f"[{size}] kz report ...", flush=True)
        result = run_report(size, args.seed, args.timeout, args.jobs)
        print(f"[{size}] {'ok' if result['ok'] else 'FAILED'} in {result['wall_s']} s, peak {result['peak_rss_mb']} MB",
              flush=True)
        results.append(result)
    print_results(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"report-{stamp}.json"
    path.write_text(json.dumps({"machine": info, "results": results}, indent=1), encoding="utf-8")
    print(f"results: {path}")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
