"""Throughput and memory of claim extraction on synthetic corpora of growing size (`make bench`).

For every size (articles) in --sizes, on a synthetic corpus from benchmarks/synth.py, each stage runs in a
fresh subprocess (so one size's memory does not pollute the next):

    floor    read each article's text from the shards (json.loads) + one kzlib.normalize.normalize pass
    corpus   kzlib.corpus.iter_articles alone (decoding, validation, furniture)
    extract  iter_articles -> kzlib.claims.extract_claims -> claims written to Parquet in chunks (streaming)
    ledger   kzlib.ledger.write_ledger over the same shards (the project's own writer)

and prints articles/s, MB/s (UTF-8 bytes of article text), ru_maxrss (peak resident memory of the process)
and the growth over the RSS right after imports. Targets: extract >= 20% of the floor's throughput; peak
memory flat as the corpus grows 10x. With --report, also the wall time of `kz report` on the seeds against
the notebooks run as plain scripts in one process (target <= 1.5x). Below target, the extractor is profiled
(cProfile) and the hot spots printed. Results: benchmarks/results/<timestamp>.json.

    .venv/bin/python benchmarks/bench_extract.py [--sizes 1000,10000] [--report] [--profile] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

RESULTS = HERE / "results"
CORPORA = ROOT / "data" / "interim" / "synth"
EXTRACTION_TARGET = 0.20      # extraction throughput / floor throughput
REPORT_TARGET = 2.0           # report command wall time / notebooks as plain scripts (issue 14)
MEMORY_FLAT_TARGET = 1.25     # peak-memory growth between the smallest and the largest size
CHUNK_ARTICLES = 500          # the streaming writer flushes the claims of this many articles as one row group
ALL_STAGES = ("floor", "corpus", "extract", "ledger", "dask")
DEFAULT_STAGES = ("floor", "corpus", "extract", "ledger")   # dask on request: it starts a LocalCluster


# ---------------------------------------------------------------- machine

def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        ram = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram / 2**30, 1) if ram else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def _current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _maxrss_mb()


# ---------------------------------------------------------------- stages (run inside a worker subprocess)

def _raw_texts(files):
    """Article texts straight from the shards: the cheapest possible read, no corpus rules."""
    for path in files:
        if path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        yield json.loads(line).get("text") or ""
        elif path.suffix == ".parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches(columns=["text"], batch_size=1000):
                yield from (t or "" for t in batch.column(0).to_pylist())
        else:
            yield path.read_text(encoding="utf-8", errors="replace")


def stage_floor(files, out_dir):
    from kzlib.normalize import normalize

    articles = chars = nbytes = 0
    for text in _raw_texts(files):
        normalize(text)
        articles += 1
        chars += len(text)
        nbytes += len(text.encode("utf-8"))
    return {"articles": articles, "chars": chars, "bytes": nbytes}


def _iter_corpus(files):
    from kzlib.corpus import iter_articles

    for path in files:
        yield from iter_articles(path)


def stage_corpus(files, out_dir):
    from kzlib.corpus import Skip

    articles = skipped = nbytes = 0
    for item in _iter_corpus(files):
        if isinstance(item, Skip):
            skipped += 1
        else:
            articles += 1
            nbytes += len(item.text.encode("utf-8"))
    return {"articles": articles, "skipped": skipped, "bytes": nbytes}


def stage_extract(files, out_dir):
    """iter_articles -> extract_claims -> one Parquet row group per CHUNK_ARTICLES articles: memory bounded by a chunk.

    Chunks count articles, not claims, so that the smallest corpus already fills several of them and peak
    memory can be compared across sizes.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kzlib.claims import extract_claims
    from kzlib.corpus import Skip
    from kzlib.scale import claims_schema

    from kzlib.cli import prepare_batch

    prepare_batch()         # as `kz extract` does before its loop
    schema = claims_schema()
    articles = skipped = claims = nbytes = 0
    buffer: list[dict] = []
    with pq.ParquetWriter(Path(out_dir) / "claims.parquet", schema) as writer:
        for item in _iter_corpus(files):
            if isinstance(item, Skip):
                skipped += 1
                continue
            articles += 1
            nbytes += len(item.text.encode("utf-8"))
            for claim in extract_claims(item):
                buffer.append({**claim.as_dict(), "outlet": item.outlet, "date": item.date})
            if articles % CHUNK_ARTICLES == 0:
                writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
                claims += len(buffer)
                buffer = []
        if buffer:
            writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
            claims += len(buffer)
    return {"articles": articles, "skipped": skipped, "claims": claims, "bytes": nbytes}


def stage_ledger(files, out_dir):
    import pyarrow.parquet as pq

    from kzlib.cli import prepare_batch
    from kzlib.ledger import write_ledger

    prepare_batch()         # as `kz extract --out` does
    path = write_ledger([str(f) for f in files], Path(out_dir) / "ledger.parquet")
    return {"claims": pq.ParquetFile(path).metadata.num_rows}


def stage_dask(files, out_dir):
    """kzlib.scale.extract_with_dask on a LocalCluster (one single-threaded worker process per core), cluster
    start-up included: the multi-core path. One corpus file is one task, so a 1-shard corpus uses one worker."""
    from kzlib.scale import extract_with_dask

    result = extract_with_dask([str(f) for f in files], Path(out_dir) / "ledger", scheduler="local")
    return {"articles": result.articles, "claims": result.claims, "skipped": result.skipped,
            "workers": os.cpu_count(), "files": result.files}


STAGES = {"floor": stage_floor, "corpus": stage_corpus, "extract": stage_extract, "ledger": stage_ledger,
          "dask": stage_dask}
# Imported before the clock starts and before the baseline RSS is read: import time and library memory
# are constant costs, not throughput. (Lexicons still load inside the timing: that is per-run work.)
# pandas for extract: pyarrow imports it on the first Table.from_pylist (0.15 s, measured), inside the clock.
STAGE_IMPORTS = {
    "floor": ("kzlib.normalize",),
    "corpus": ("kzlib.corpus",),
    "extract": ("kzlib.corpus", "kzlib.claims", "kzlib.scale", "pyarrow", "pyarrow.parquet", "pandas"),
    "ledger": ("kzlib.corpus", "kzlib.claims", "kzlib.ledger", "pyarrow", "pyarrow.parquet", "pandas"),
    "dask": ("kzlib.scale", "dask", "dask.bag", "dask.dataframe", "distributed", "pyarrow", "pandas"),
}


def run_worker(stage: str, corpus_dir: str, use_tracemalloc: bool) -> dict:
    from kzlib.scale import list_corpus_files

    import importlib

    files = list_corpus_files(corpus_dir)
    for module in STAGE_IMPORTS[stage]:
        importlib.import_module(module)
    rss_start = _current_rss_mb()
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="kzbench-") as out_dir:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = STAGES[stage](files, out_dir)
        result["seconds"] = time.perf_counter() - started
        # CPU time of this process: on a shared machine it moves much less with the load than wall time
        result["cpu_seconds"] = time.process_time() - cpu_started
    if use_tracemalloc:
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    result.update(rss_after_imports_mb=rss_start, maxrss_mb=_maxrss_mb())
    # which build of the extractor ran (bench_compiled.py compares a compiled copy with the source)
    if "kzlib.claims" in sys.modules:
        result["claims_module"] = sys.modules["kzlib.claims"].__file__
    return result


def spawn_worker(stage: str, corpus_dir: Path, use_tracemalloc: bool = False, env: dict | None = None) -> dict:
    """Runs one stage in a fresh interpreter; `env` replaces the environment (bench_compiled.py sets PYTHONPATH)."""
    cmd = [sys.executable, __file__, "--worker", stage, "--corpus", str(corpus_dir)]
    if use_tracemalloc:
        cmd.append("--tracemalloc")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["exit code %d" % proc.returncode])[-1],
                "stderr_tail": proc.stderr[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- profile

def profile_extraction(corpus_dir: Path, limit: int = 500, top: int = 25) -> dict:
    """cProfile of iter_articles + extract_claims over the first `limit` articles; hot spots by own time."""
    import cProfile
    import pstats

    from kzlib.claims import extract_claims
    from kzlib.corpus import Skip
    from kzlib.scale import list_corpus_files

    items = []
    for item in _iter_corpus(list_corpus_files(corpus_dir)):
        if not isinstance(item, Skip):
            items.append(item)
        if len(items) >= limit:
            break
    extract_claims(items[0])  # lexicons and caches load outside the profile
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for article in items:
        extract_claims(article)
    profiler.disable()
    seconds = time.perf_counter() - started
    RESULTS.mkdir(parents=True, exist_ok=True)
    prof_path = RESULTS / f"profile-{dt.datetime.now():%Y%m%d-%H%M%S}.prof"
    profiler.dump_stats(prof_path)
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, func), (cc, nc, tt, ct, _) in stats.stats.items():
        rows.append({"function": f"{Path(filename).name}:{line}({func})", "calls": nc, "tottime": tt, "cumtime": ct,
                     "kzlib": f"{os.sep}kzlib{os.sep}" in filename})
    by_tottime = sorted(rows, key=lambda r: -r["tottime"])[:top]
    by_cumtime = sorted((r for r in rows if r["kzlib"]), key=lambda r: -r["cumtime"])[:top]
    return {"articles": len(items), "seconds_profiled": seconds, "prof": str(prof_path),
            "by_tottime": by_tottime, "by_cumtime": by_cumtime}


# ---------------------------------------------------------------- report vs notebooks-as-scripts

def notebook_script(notebook: Path, overrides: dict) -> str:
    """The notebook's code as a plain script, with `overrides` assigned right after its parameters cell."""
    import jupytext

    nb = jupytext.read(notebook)
    sources = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        sources.append("\n".join(lines))
        if "parameters" in cell.metadata.get("tags", []):
            sources.append("\n".join(f"{k} = {v!r}" for k, v in overrides.items()))
    return "\n\n".join(sources) + "\n"


# Same work as `kz report`, minus papermill/nbconvert: load the corpus and write the ledger once, then
# every notebook's code with the same parameters (corpus, output_dir, ledger), in one process.
SCRIPTS_RUNNER = r"""
import json, sys, time, os
os.environ.setdefault("MPLBACKEND", "Agg")
from pathlib import Path
from IPython.display import display, HTML, Markdown
corpus, output_dir, scripts = sys.argv[1], sys.argv[2], json.loads(sys.stdin.read())
started = time.perf_counter()
from kzlib.corpus import load_corpus
from kzlib.ledger import write_ledger
ledger = str(write_ledger(load_corpus(corpus), Path(output_dir) / "tables" / "claims.parquet"))
times = {"ledger": time.perf_counter() - started}
import matplotlib.pyplot as plt
for name, code in scripts:
    t = time.perf_counter()
    code = code.replace("__LEDGER__", ledger)
    namespace = {"__name__": "__main__", "display": display, "HTML": HTML, "Markdown": Markdown}
    exec(compile(code, name, "exec"), namespace)
    plt.close("all")
    times[name] = time.perf_counter() - t
print(json.dumps({"seconds": time.perf_counter() - started, "per_notebook": times}))
"""


def bench_report(corpus: str | None = None) -> dict:
    corpus = corpus or ("data/corpus.csv" if (ROOT / "data" / "corpus.csv").is_file() else "data/raw")
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        return {"error": "no notebooks/NN_*.ipynb"}
    with tempfile.TemporaryDirectory(prefix="kzbench-report-") as tmp:
        env = {**os.environ, "MPLBACKEND": "Agg"}
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "kzlib.cli", "report", "--corpus", corpus, "--out", f"{tmp}/report"],
                              capture_output=True, text=True, cwd=ROOT, env=env)
        report_seconds = time.perf_counter() - started
        if proc.returncode != 0:
            return {"error": f"kz report exited {proc.returncode}", "stderr_tail": proc.stderr[-2000:]}
        script_out = Path(tmp) / "scripts"
        for sub in ("tables", "figures"):
            (script_out / sub).mkdir(parents=True)
        overrides = {"corpus": str((ROOT / corpus).resolve()), "output_dir": str(script_out), "ledger": "__LEDGER__"}
        scripts = [(nb.name, notebook_script(nb, overrides)) for nb in notebooks]
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", SCRIPTS_RUNNER, overrides["corpus"], str(script_out)],
                              input=json.dumps(scripts), capture_output=True, text=True, cwd=ROOT, env=env)
        scripts_seconds = time.perf_counter() - started
        if proc.returncode != 0:
            return {"report_seconds": report_seconds, "error": "notebooks as scripts failed",
                    "stderr_tail": proc.stderr[-2000:]}
        inner = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"corpus": corpus, "notebooks": [nb.name for nb in notebooks], "report_seconds": report_seconds,
            "scripts_seconds": scripts_seconds, "scripts_exec_seconds": inner["seconds"],
            "scripts_per_notebook": inner["per_notebook"], "ratio": report_seconds / scripts_seconds}


# ---------------------------------------------------------------- main

def bench_size(size: int, seed: int, stages, use_tracemalloc: bool) -> dict:
    from synth import write_corpus

    corpus_dir = CORPORA / f"n{size}_seed{seed}"
    t = time.perf_counter()
    manifest = write_corpus(corpus_dir, size, seed=seed)
    entry = {"articles": size, "corpus_dir": str(corpus_dir.relative_to(ROOT)), "corpus_mb": manifest["bytes"] / 1e6,
             "synth_seconds": time.perf_counter() - t, "stages": {}}
    for stage in stages:
        result = spawn_worker(stage, corpus_dir)
        if use_tracemalloc and stage in ("floor", "extract") and "error" not in result:
            traced = spawn_worker(stage, corpus_dir, use_tracemalloc=True)
            result["tracemalloc_peak_mb"] = traced.get("tracemalloc_peak_mb")
        if "error" not in result:
            result["articles_per_s"] = size / result["seconds"]
            if result.get("cpu_seconds"):
                result["articles_per_cpu_s"] = size / result["cpu_seconds"]
            # stages that do not count bytes (ledger) share the floor's count: same texts
            text_bytes = result.get("bytes") or entry["stages"].get("floor", {}).get("bytes")
            result["mb_per_s"] = text_bytes / 1e6 / result["seconds"] if text_bytes else None
        entry["stages"][stage] = result
        _print_stage(size, stage, result)
    floor, extract = entry["stages"].get("floor", {}), entry["stages"].get("extract", {})
    if "articles_per_s" in floor and "articles_per_s" in extract:
        entry["extract_vs_floor"] = extract["articles_per_s"] / floor["articles_per_s"]
        print(f"  {size:>7} extraction / floor throughput: {entry['extract_vs_floor']:.1%} "
              f"(target >= {EXTRACTION_TARGET:.0%}; both on one core)")
        if "articles_per_cpu_s" in floor and "articles_per_cpu_s" in extract:
            entry["extract_vs_floor_cpu"] = extract["articles_per_cpu_s"] / floor["articles_per_cpu_s"]
            print(f"  {size:>7} extraction / floor, by CPU time: {entry['extract_vs_floor_cpu']:.1%}")
    dask_stage = entry["stages"].get("dask", {})
    if "articles_per_s" in floor and "articles_per_s" in dask_stage:
        entry["dask_vs_floor"] = dask_stage["articles_per_s"] / floor["articles_per_s"]
        print(f"  {size:>7} dask ({dask_stage['workers']} workers, {dask_stage['files']} files) / floor (one core): "
              f"{entry['dask_vs_floor']:.1%} (not the target's measure: more cores)")
    return entry


def _print_stage(size: int, stage: str, r: dict) -> None:
    if "error" in r:
        print(f"  {size:>7} {stage:<8} FAILED: {r['error']}")
        return
    mbs = f"{r['mb_per_s']:7.2f} MB/s" if r.get("mb_per_s") else "      — MB/s"
    extra = f"  claims {r['claims']}" if r.get("claims") is not None else ""
    traced = f"  tracemalloc peak {r['tracemalloc_peak_mb']:.1f} MB" if r.get("tracemalloc_peak_mb") else ""
    cpu = f" (CPU {r['cpu_seconds']:.2f} s, {r['articles_per_cpu_s']:.1f} art/CPU-s)" if r.get("articles_per_cpu_s") else ""
    print(f"  {size:>7} {stage:<8} {r['seconds']:8.2f} s {r['articles_per_s']:9.1f} art/s{cpu} {mbs}  "
          f"maxrss {r['maxrss_mb']:6.1f} MB (+{r['maxrss_mb'] - r['rss_after_imports_mb']:.1f} over imports){extra}{traced}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes in articles (e.g. 1000,10000,100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stages", default=",".join(DEFAULT_STAGES),
                        help=f"comma-separated, from {','.join(ALL_STAGES)} (default {','.join(DEFAULT_STAGES)})")
    parser.add_argument("--report", action="store_true", help="also time `kz report` vs the notebooks as plain scripts")
    parser.add_argument("--profile", action="store_true", help="profile the extractor even when on target")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the tracemalloc peak (extra run per stage)")
    parser.add_argument("--worker", choices=list(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(run_worker(args.worker, args.corpus, args.tracemalloc)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    stages = [s for s in args.stages.split(",") if s]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stages {sorted(unknown)}; choose from {ALL_STAGES}")
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, Python {info['python']} ({info['platform']})")
    results = {"machine": info, "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "targets": {"extract_vs_floor": EXTRACTION_TARGET, "report_vs_scripts": REPORT_TARGET,
                           "memory_growth": MEMORY_FLAT_TARGET}, "sizes": []}
    for size in sizes:
        results["sizes"].append(bench_size(size, args.seed, stages, args.tracemalloc))

    ok = True
    measured = [e for e in results["sizes"] if "maxrss_mb" in e["stages"].get("extract", {})]
    if len(measured) >= 2:
        first, last = measured[0]["stages"]["extract"], measured[-1]["stages"]["extract"]
        growth = last["maxrss_mb"] / first["maxrss_mb"]
        results["extract_memory_growth"] = growth
        flat = growth <= MEMORY_FLAT_TARGET
        ok &= flat
        print(f"peak memory (extract) {measured[0]['articles']} -> {measured[-1]['articles']} articles: "
              f"{first['maxrss_mb']:.0f} -> {last['maxrss_mb']:.0f} MB (x{growth:.2f}; {'flat' if flat else 'NOT flat'})")
    ratios = [e["extract_vs_floor"] for e in results["sizes"] if "extract_vs_floor" in e]
    below = bool(ratios) and min(ratios) < EXTRACTION_TARGET
    ok &= not below
    if below or args.profile:
        print(f"profiling the extractor ({'below target' if below else 'asked'}) ...")
        corpus_dir = CORPORA / f"n{sizes[0]}_seed{args.seed}"
        prof = profile_extraction(corpus_dir)
        results["profile"] = prof
        print(f"  {prof['articles']} articles in {prof['seconds_profiled']:.2f} s under cProfile ({prof['prof']})")
        print("  own time (tottime) — top 15:")
        for row in prof["by_tottime"][:15]:
            print(f"    {row['tottime']:7.3f} s  {row['calls']:>9} calls  {row['function']}")
        print("  cumulative — top 15:")
        for row in prof["by_cumtime"][:15]:
            print(f"    {row['cumtime']:7.3f} s  {row['calls']:>9} calls  {row['function']}")
    if args.report:
        rep = bench_report()
        results["report"] = rep
        if "error" in rep:
            ok = False
            print(f"report timing FAILED: {rep['error']}\n{rep.get('stderr_tail', '')}")
        else:
            ok &= rep["ratio"] <= REPORT_TARGET
            print(f"report: `kz report` {rep['report_seconds']:.1f} s vs notebooks as scripts {rep['scripts_seconds']:.1f} s "
                  f"(one process; exec {rep['scripts_exec_seconds']:.1f} s): x{rep['ratio']:.2f} (target <= {REPORT_TARGET})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {out.relative_to(ROOT)}; {'all targets met' if ok else 'some targets missed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
