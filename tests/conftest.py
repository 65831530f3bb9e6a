"""Shared fixtures (kept small): the seed corpus loaded once from the manifest, its ledger, the one seed report
run of the session, and a temp-corpus writer."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from kzlib.paths import MANIFEST


# `make test-fast` runs `pytest -m "not slow"`: these files start kernels, browsers or clusters
SLOW_FILES = {"test_report.py", "test_report_browser.py", "test_notebooks.py", "test_scale.py",
              "test_stanza_backend.py"}


def pytest_ignore_collect(collection_path, config):
    # `make test-fast` (-m "not slow") would import these files only to deselect every test in them, and
    # their imports (jupytext, papermill, selenium, distributed) cost seconds: do not collect them at all
    if collection_path.name in SLOW_FILES and config.getoption("markexpr") == "not slow":
        return True
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_FILES or item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def seed_corpus():
    """The five seed articles, loaded through data/corpus.csv (metadata, furniture)."""
    from kzlib.corpus import load_corpus

    return load_corpus(MANIFEST)


@pytest.fixture
def write_file(tmp_path):
    """write_file("name.txt", str | bytes) -> Path inside a fresh temp folder (str is written as UTF-8)."""

    def write(name: str, content) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    return write


@pytest.fixture(scope="session")
def seed_ledger():
    """The claims ledger the extractor gives on the five seed articles (with outlet and date), made once."""
    from kzlib.ledger import claims_frame

    return claims_frame(MANIFEST)


HOSTILE_ID = "hostile-1"
#: The corpus loader refuses article texts holding common HTML tags (<script>, <p> …, kzlib.corpus): a
#: headline is not checked, and tags it does not list (<svg>, <details>) pass; all must show as text.
HOSTILE_HEADLINE = "مقتل 3 أشخاص <script>window.kzInjected = 1</script> في ألماتي"
HOSTILE_TEXT = ("مقتل 3 أشخاص في ألماتي\n\n"
                "قالت وزارة الداخلية إن 3 أشخاص قتلوا في ألماتي أمس <svg onload=\"window.kzInjected = 2\">، "
                "وأصيب 12 آخرون <details open ontoggle=\"window.kzInjected = 3\">.")


@pytest.fixture(scope="session")
def seed_report_run(tmp_path_factory):
    """`kz report` on the seed articles plus one hostile article (HOSTILE_*), as a JSONL corpus: run once for
    the report and browser tests (a run costs 15-30 s: six notebook kernels). code, out (the report folder),
    corpus, ids."""
    from kzlib import report
    from kzlib.corpus import load_corpus

    folder = tmp_path_factory.mktemp("seed_report")
    seeds = load_corpus(MANIFEST).articles
    rows = [{"id": a.id, "outlet": a.outlet, "date": a.date, "headline": a.headline, "text": a.text} for a in seeds]
    rows.append({"id": HOSTILE_ID, "outlet": "<b>outlet</b>", "date": "2022-01-08", "headline": HOSTILE_HEADLINE,
                 "text": HOSTILE_TEXT})
    corpus = folder / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = folder / "reports"
    code = report.build_report(corpus, out, timeout=600)
    return SimpleNamespace(code=code, out=out, corpus=corpus, ids=sorted(r["id"] for r in rows))
