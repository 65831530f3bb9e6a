"""Would compiling kzlib make extraction fast enough? (`make bench-compiled`)

Compiles the modules on the extraction path, unchanged, with Cython into a temporary copy of the
package, then times the `extract` stage of bench_extract.py (fresh process each run) with the source
and with the compiled copy on the same synthetic corpus, next to the floor. Prints ms per article for
each, the speed-up, both ratios to the floor, and checks that both give the same claims (SHA-256 of the
claims ledger). Needs Cython and a C compiler; neither is a dependency of kzlib (`make bench-compiled`
installs Cython into .venv). Nothing is written outside a temporary folder and benchmarks/results/.

    .venv/bin/python benchmarks/bench_compiled.py [--size 1000] [--seed 0] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_extract import CORPORA, EXTRACTION_TARGET, RESULTS, ROOT, machine, spawn_worker  # noqa: E402

# the modules extract_claims runs through, per article (the rest of kzlib is notebooks, tables and charts)
HOT_MODULES = ("normalize", "numbers", "segment", "gazetteer", "attribution", "claims", "furniture", "corpus")

_BUILD = """
from Cython.Build import cythonize
from setuptools import setup
setup(ext_modules=cythonize({paths!r}, language_level=3, quiet=True), script_args=["build_ext", "--inplace", "-q"])
"""


def build_compiled_copy(dest: Path) -> float:
    """Copies src/kzlib to dest/kzlib and compiles HOT_MODULES in place; returns the build time (s)."""
    import kzlib

    shutil.copytree(Path(kzlib.__file__).parent, dest / "kzlib", ignore=shutil.ignore_patterns("__pycache__"))
    paths = [f"kzlib/{name}.py" for name in HOT_MODULES]
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _BUILD.format(paths=paths)], cwd=dest, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench_compiled: the Cython build failed in {dest}:\n{proc.stderr[-3000:]}")
    built = sorted(p.name for p in (dest / "kzlib").glob("*.so"))
    if len(built) != len(HOT_MODULES):
        raise SystemExit(f"bench_compiled: expected {len(HOT_MODULES)} compiled modules in {dest / 'kzlib'}, found {built}")
    return time.perf_counter() - started


def claims_digest(corpus_dir: Path) -> dict:
    """SHA-256 over every claim of the corpus, in order (run in the process whose kzlib is measured)."""
    from kzlib.claims import extract_claims
    from kzlib.corpus import Skip, iter_articles
    from kzlib.scale import list_corpus_files

    digest, claims = hashlib.sha256(), 0
    for path in list_corpus_files(corpus_dir):
        for item in iter_articles(path):
            if isinstance(item, Skip):
                continue
            for claim in extract_claims(item):
                digest.update(json.dumps(claim.as_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
                claims += 1
    import kzlib.claims

    return {"claims": claims, "sha256": digest.hexdigest(), "claims_module": kzlib.claims.__file__}


def _digest_in(corpus_dir: Path, env: dict) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--digest", str(corpus_dir)], capture_output=True, text=True,
                          cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"bench_compiled: the claims digest failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _best(stage: str, corpus_dir: Path, runs: int, env: dict) -> dict:
    results = [spawn_worker(stage, corpus_dir, env=env) for _ in range(runs)]
    failed = [r for r in results if "error" in r]
    if failed:
        raise SystemExit(f"bench_compiled: {stage} failed: {failed[0]['error']}\n{failed[0].get('stderr_tail', '')}")
    return min(results, key=lambda r: r["seconds"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="articles in the synthetic corpus")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3, help="runs per variant; the fastest counts")
    parser.add_argument("--digest", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.digest:
        print(json.dumps(claims_digest(Path(args.digest))))
        return 0
    try:
        import Cython
    except ImportError:
        print("bench_compiled: Cython is not installed (`make bench-compiled`, or `.venv/bin/pip install cython`)",
              file=sys.stderr)
        return 2
    from synth import write_corpus

    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, Python {info['python']}; "
          f"Cython {Cython.__version__}")
    corpus_dir = CORPORA / f"n{args.size}_seed{args.seed}"
    write_corpus(corpus_dir, args.size, seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="kzlib-compiled-") as tmp:
        build_seconds = build_compiled_copy(Path(tmp))
        print(f"compiled {len(HOT_MODULES)} modules ({', '.join(HOT_MODULES)}) in {build_seconds:.0f} s")
        source_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        compiled_env = {**source_env, "PYTHONPATH": tmp}
        floor = _best("floor", corpus_dir, args.runs, source_env)
        variants = {"source": _best("extract", corpus_dir, args.runs, source_env),
                    "compiled": _best("extract", corpus_dir, args.runs, compiled_env)}
        if not variants["compiled"].get("claims_module", "").startswith(tmp):
            raise SystemExit(f"bench_compiled: the compiled run imported {variants['compiled'].get('claims_module')}")
        digests = {"source": _digest_in(corpus_dir, source_env), "compiled": _digest_in(corpus_dir, compiled_env)}
    same = digests["source"]["sha256"] == digests["compiled"]["sha256"]
    per_article = {name: r["seconds"] / r["articles"] * 1e3 for name, r in variants.items()}
    floor_ms = floor["seconds"] / floor["articles"] * 1e3
    print(f"  floor     {floor_ms:.3f} ms/article; the {EXTRACTION_TARGET:.0%} target allows "
          f"{floor_ms / EXTRACTION_TARGET:.3f} ms/article of extraction")
    for name, ms in per_article.items():
        print(f"  {name:<9} {ms:.3f} ms/article  {1e3 / ms:7.1f} art/s  ratio to floor {floor_ms / ms:.1%}  "
              f"claims {variants[name]['claims']}")
    speedup = per_article["source"] / per_article["compiled"]
    print(f"  compiled / source speed-up: x{speedup:.2f}; claims {'identical' if same else 'DIFFERENT'} "
          f"({digests['source']['claims']} claims, sha256 {digests['source']['sha256'][:12]}…)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"compiled-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"machine": info, "cython": Cython.__version__, "modules": HOT_MODULES,
                               "build_seconds": build_seconds, "floor": floor, "variants": variants,
                               "digests": digests, "speedup": speedup}, indent=2), encoding="utf-8")
    print(f"results: {out.relative_to(ROOT)}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
