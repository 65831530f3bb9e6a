"""Shared fixtures (kept small): the seed corpus loaded once from the manifest, and a temp-corpus writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzlib.paths import MANIFEST


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
