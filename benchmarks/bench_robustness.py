"""Robustness benchmarks (issue 15): time on one unpunctuated sentence, peak memory on one huge article.

    .venv/bin/python benchmarks/bench_robustness.py [--sizes 10000,100000,1000000] [--article-mb 50] [--skip-memory]

1. Linear time. One sentence of N UTF-8 bytes without a full stop or a line break (a scraped table, a
   transcript): words drawn at random (fixed seed) from a list of counts, category cues, counted nouns,
   places and filler, so the sentence holds many counts and many cues. Printed per size: seconds, claims,
   the ratio to the previous size (target: each ≤ 10× the previous for 10× the text; the largest, 1 MB,
   under 10 s) and the characters of sentence text the claims repeat (capped per claim, see
   kzlib.claims.SENTENCE_MAX_CHARS).
2. Peak memory. One article of about `--article-mb` MB (UTF-8) written to a .txt file, made of the seed
   articles' sentences (benchmarks/synth.py) in lines of one to three sentences, read and extracted the way
   `kz extract FILE` does (kzlib.ledger.iter_claims, claims consumed one at a time), in a fresh subprocess.
   Printed: ru_maxrss (peak resident memory of that process), its growth over the RSS right after the
   imports, and both as a multiple of the file's size (target: peak ≤ 10× the article's size).

Timings are wall-clock on a shared machine: quote them as ranges across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

# Counts, cues, counted nouns, places and filler: an unpunctuated sentence dense in counts and cues.
WORDS = ("قتل", "مقتل", "إصابة", "اعتقال", "أصيب", "اعتقلت", "نشر", "26", "100", "3", "1300", "عشرات", "مئات",
         "شخصا", "محتجا", "جنود", "عنصر", "أمن", "مسلحين", "آخرين", "في", "ألماتي", "كازاخستان", "و", "من",
         "وقال", "المتحدث", "إن", "الوضع", "مستقر", "الشرطة", "وزارة", "الداخلية", "على", "الأقل", "نحو")


def unpunctuated_sentence(n_bytes: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    words, size = [], 0
    while size < n_bytes:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word.encode("utf-8")) + 1
    return " ".join(words)


def bench_sentence(sizes: list[int]) -> list[dict]:
    from kzlib.claims import extract_text

    rows, previous = [], None
    for n in sizes:
        text = unpunctuated_sentence(n)
        t0 = time.perf_counter()
        claims = extract_text(text)
        seconds = time.perf_counter() - t0
        repeated = sum(len(c.sentence) for c in claims)
        ratio = seconds / previous if previous else None
        rows.append(dict(bytes=n, chars=len(text), seconds=round(seconds, 3), claims=len(claims),
                         ratio_to_previous=round(ratio, 2) if ratio else None, sentence_chars_repeated=repeated))
        ratio_text = f"  ×{ratio:.1f} the previous size" if ratio else ""
        print(f"  sentence of {n / 1000:>7,.0f} KB: {seconds:7.2f} s, {len(claims):6,} claims, "
              f"{repeated:>10,} sentence chars in the claims{ratio_text}", flush=True)
        previous = seconds
    return rows


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


def _current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _maxrss_mb()


def write_big_article(path: Path, megabytes: float, seed: int = 0) -> int:
    """A .txt article of about `megabytes` MB built from seed sentences; returns its size in bytes."""
    from synth import load_seed_pool, mutate_numbers

    pool, rng = load_seed_pool(), random.Random(f"kzlib-bigarticle:{seed}")
    target, size = int(megabytes * 1_000_000), 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(pool.headlines[0] + "\n")
        while size < target:
            line = " ".join(mutate_numbers(rng.choice(pool.sentences), rng, "ascii") for _ in range(rng.randint(1, 3)))
            handle.write(line + "\n")
            size += len(line.encode("utf-8")) + 1
    return path.stat().st_size


def memory_worker(path: str) -> dict:
    """Run inside a fresh subprocess: `kz extract FILE` without the JSON printing."""
    import pandas  # noqa: F401  (imported by kz extract's ledger module anyway: not part of the article's cost)

    from kzlib.ledger import iter_claims

    base = _current_rss_mb()
    t0 = time.perf_counter()
    claims = sum(1 for _ in iter_claims(path, skipped=lambda skip: print(f"skipped {skip}", file=sys.stderr)))
    return dict(seconds=round(time.perf_counter() - t0, 1), claims=claims, rss_after_imports_mb=round(base, 1),
                maxrss_mb=round(_maxrss_mb(), 1))


def bench_memory(megabytes: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="kzlib-bench-robust-") as folder:
        path = Path(folder) / "big_article.txt"
        size = write_big_article(path, megabytes)
        done = subprocess.run([sys.executable, __file__, "--memory-worker", str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
            raise SystemExit(f"memory worker failed with exit code {done.returncode}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
    size_mb = size / 2**20
    result.update(article_mb=round(size_mb, 1), peak_over_size=round(result["maxrss_mb"] / size_mb, 2),
                  growth_over_size=round((result["maxrss_mb"] - result["rss_after_imports_mb"]) / size_mb, 2))
    print(f"  one article of {size_mb:.1f} MiB: {result['seconds']} s, {result['claims']:,} claims; peak RSS "
          f"{result['maxrss_mb']:,.0f} MiB = {result['peak_over_size']}× the article (growth over the "
          f"{result['rss_after_imports_mb']:.0f} MiB after imports: {result['growth_over_size']}×; target ≤ 10×)")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="sentence sizes in UTF-8 bytes")
    parser.add_argument("--article-mb", type=float, default=50.0, help="size of the one big article")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--memory-worker", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_worker:
        print(json.dumps(memory_worker(args.memory_worker)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print("one unpunctuated sentence (kzlib.claims.extract_text):")
    rows = bench_sentence(sizes)
    ok = all(r["ratio_to_previous"] <= 10 for r in rows[1:])
    print(f"  each size ≤ 10× the time of the previous: {'yes' if ok else 'NO'}")
    if rows and rows[-1]["bytes"] >= 1_000_000:
        print(f"  largest under 10 s: {'yes' if rows[-1]['seconds'] < 10 else 'NO'}")
    if not args.skip_memory:
        print("peak memory on one article (kz extract FILE, fresh process):")
        bench_memory(args.article_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
