"""The synthetic benchmark corpus (benchmarks/synth.py): deterministic, varied, realistic Arabic, streamed to shards."""

from __future__ import annotations

import importlib.util
import json
import random
import re
import sys

import pytest

from kzlib.paths import ROOT

_spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
synth = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("synth", synth)  # dataclasses look their module up here
_spec.loader.exec_module(synth)

ASCII_NUMBER = re.compile(r"[0-9]+")
ARABIC_INDIC = re.compile(r"[٠-٩]")


@pytest.fixture(scope="module")
def pool():
    return synth.load_seed_pool()


def test_seed_pool_holds_real_seed_sentences(pool):
    seed_text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw").glob("*.txt")))
    assert len(pool.sentences) >= 50
    assert all(s in seed_text for s in pool.sentences)
    assert all(h in seed_text for h in pool.headlines)


def test_same_seed_same_article_different_seed_different(pool):
    assert synth.synthetic_article(pool, 42, seed=1) == synth.synthetic_article(pool, 42, seed=1)
    assert synth.synthetic_article(pool, 42, seed=1)["text"] != synth.synthetic_article(pool, 42, seed=2)["text"]
    assert synth.synthetic_article(pool, 42, seed=1)["text"] != synth.synthetic_article(pool, 43, seed=1)["text"]


def test_article_does_not_depend_on_corpus_size(pool):
    small = list(synth.iter_synthetic(20, seed=3, pool=pool))
    large = list(synth.iter_synthetic(50, seed=3, pool=pool))
    assert large[:20] == small


def test_articles_are_arabic_and_mix_sentences_from_several_seeds(pool):
    seed_sentence_sets = []
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        seed_sentence_sets.append(path.read_text(encoding="utf-8"))
    for record in synth.iter_synthetic(30, seed=0, pool=pool):
        text = record["text"]
        arabic = len(re.findall(r"[\u0621-\u064A]", text))
        latin = len(re.findall(r"[A-Za-z]", text))
        assert arabic > 20 * max(latin, 1), record["id"]
        assert text.startswith(record["headline"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["date"])
    # Over 30 articles, the sentences must come from more than one seed article (shuffled across articles).
    used_seeds = set()
    for record in synth.iter_synthetic(30, seed=0, pool=pool):
        for sentence in pool.sentences:
            if sentence[:40] in record["text"]:
                used_seeds.update(i for i, seed in enumerate(seed_sentence_sets) if sentence in seed)
    assert len(used_seeds) >= 4


def test_mutate_numbers_redraws_counts_keeps_years_and_writes_arabic_indic():
    text = "أعلنت الداخلية في 2022 اعتقال أكثر من 1,300 شخص ومقتل 26 آخرين"
    rng = random.Random(5)
    arabic = synth.mutate_numbers(text, rng, "arabic_indic")
    assert not ASCII_NUMBER.search(arabic)
    assert "٢٠٢٢" in arabic
    assert "٬" in arabic  # the grouped figure keeps its thousands separator, in Arabic form
    values = [synth.NUMBER.findall(synth.mutate_numbers(text, random.Random(s), "ascii")) for s in range(20)]
    assert all(v[0] == "2022" for v in values)
    assert len({v[1] for v in values}) > 5 and len({v[2] for v in values}) > 5
    for v in values:
        assert 300 <= int(v[1].replace(",", "")) <= 4000  # same magnitude as 1,300
        assert 2 <= int(v[2]) <= 31


def test_corpus_has_both_digit_styles_and_changed_figures(pool):
    records = list(synth.iter_synthetic(200, seed=0, pool=pool))
    assert sum(bool(ARABIC_INDIC.search(r["text"])) for r in records) >= 20
    assert sum(not ARABIC_INDIC.search(r["text"]) for r in records) >= 100
    figures = {n for r in records for n in ASCII_NUMBER.findall(r["text"]) if not 1900 <= int(n) <= 2100}
    seed_figures = {n for s in pool.sentences for n in ASCII_NUMBER.findall(s)}
    assert len(figures - seed_figures) > 50


def test_write_corpus_jsonl_shards_stream_and_are_reused(tmp_path):
    out = tmp_path / "c"
    manifest = synth.write_corpus(out, 23, seed=4, shard_size=10)
    assert manifest["shards"] == ["part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl"]
    lines = [json.loads(line) for s in manifest["shards"] for line in (out / s).read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in lines] == [f"synth4-{i:07d}" for i in range(23)]
    assert lines == list(synth.iter_synthetic(23, seed=4))
    mtime = (out / "part-00000.jsonl").stat().st_mtime_ns
    assert synth.write_corpus(out, 23, seed=4, shard_size=10) == manifest
    assert (out / "part-00000.jsonl").stat().st_mtime_ns == mtime
    synth.write_corpus(out, 5, seed=4, shard_size=10)  # a different request rewrites, dropping stale shards
    assert sorted(p.name for p in out.glob("part-*")) == ["part-00000.jsonl"]


def test_write_corpus_parquet_matches_jsonl(tmp_path):
    import pandas as pd

    manifest = synth.write_corpus(tmp_path, 12, seed=9, shard_size=5, fmt="parquet")
    frame = pd.concat([pd.read_parquet(tmp_path / s) for s in manifest["shards"]], ignore_index=True)
    assert frame.to_dict("records") == list(synth.iter_synthetic(12, seed=9))


def test_write_corpus_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="format"):
        synth.write_corpus(tmp_path, 3, fmt="csv")
    with pytest.raises(ValueError, match="shard_size"):
        synth.write_corpus(tmp_path, 3, shard_size=0)
    with pytest.raises(FileNotFoundError, match="no seed"):
        synth.load_seed_pool(tmp_path)
