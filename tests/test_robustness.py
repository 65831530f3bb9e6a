"""Issue 15: the loaders, the CLI and the writers under hostile and careless input.

Every case runs on generated input (short Arabic sentences written for the test, no article text, no
network) and asserts the message, the exit code, the claims that survive and that nothing else changed
on disk. `kz` runs in-process (kzlib.cli.main) except where a signal, a closed pipe or a full disk needs a
real process.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kzlib.claims as claims_module
from kzlib.claims import SENTENCE_MAX_CHARS, extract_claims, extract_text, sentence_excerpt
from kzlib.cli import main
from kzlib.corpus import iter_articles, load_corpus
from kzlib.paths import ROOT

KILLED_5 = "قتل 5 أشخاص في المدينة."
KILLED_7 = "قتل 7 أشخاص في المدينة."
KILLED_9 = "قتل 9 أشخاص في المدينة."


def kz(capsys, *args) -> tuple[int, str, str]:
    """Run `kz ARGS` in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exit_:        # argparse
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def values(stdout: str) -> list[tuple[str, float | None]]:
    """(category, value) of each JSON line; the lines must be strict JSON (no NaN / Infinity)."""
    return [(row["category"], row["value"]) for row in
            (json.loads(line, parse_constant=lambda c: pytest.fail(f"not JSON: {c}")) for line in stdout.splitlines())]


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under `folder` (links not followed) -> sha256 of its bytes, or its kind."""
    out = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[key] = "link:" + os.readlink(path)
        elif path.is_file():
            out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[key] = "dir" if path.is_dir() else "other"
    return out


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


# --- 1. CSV records -------------------------------------------------------------------------------------

def test_csv_row_with_unquoted_comma_is_a_skip_naming_the_line(capsys, corpus_dir):
    path = corpus_dir / "u.csv"
    path.write_text("id,text\na,قتل 1,300 شخص في المدينة واعتقل 100 آخرون.\nb," + KILLED_7 + "\n", encoding="utf-8")
    before = snapshot(corpus_dir)
    code, out, err = kz(capsys, "extract", path)
    assert code == 0
    assert "u.csv:line 2: 3 fields where the header has 2 (an unquoted comma in a field? quote the field)" in err
    assert "1 articles loaded, 1 skipped" in err
    assert values(out) == [("killed", 7.0)]          # the good row survives, the broken one gives no "killed 1"
    assert snapshot(corpus_dir) == before


def test_csv_with_only_a_broken_row_loads_nothing_exit_1(capsys, corpus_dir):
    path = corpus_dir / "u.csv"
    path.write_text("id,text\na,قتل 1,300 شخص.\n", encoding="utf-8")
    code, out, err = kz(capsys, "extract", path)
    assert (code, out) == (1, "")
    assert "0 articles loaded, 1 skipped" in err and "nothing usable: no article could be loaded" in err


def test_csv_unterminated_quote_does_not_swallow_the_rest_silently(capsys, corpus_dir):
    path = corpus_dir / "q.csv"
    path.write_text(f'id,text\na,{KILLED_5}\nb,"{KILLED_7}\nc,{KILLED_9}\n', encoding="utf-8")
    code, out, err = kz(capsys, "extract", path)
    assert code == 0
    assert "q.csv:line 3: a quote opened in this record is never closed: lines 3-4 not read" in err
    assert values(out) == [("killed", 5.0)]


def test_csv_header_naming_a_column_twice_is_a_skip(capsys, corpus_dir):
    path = corpus_dir / "dup.csv"
    path.write_text(f"id,text,text\na,{KILLED_5},{KILLED_9}\n", encoding="utf-8")
    code, out, err = kz(capsys, "extract", path)
    assert (code, out) == (1, "")
    assert "dup.csv: header names a column twice ('text' in columns 2, 3)" in err


def test_quoted_multi_line_csv_field_is_still_one_article(corpus_dir):
    path = corpus_dir / "m.csv"
    path.write_text(f'id,text\na,"{KILLED_5}\n{KILLED_7}"\nb,{KILLED_9}\n', encoding="utf-8")
    corpus = load_corpus(path)
    assert [a.id for a in corpus.articles] == ["a", "b"] and corpus.skipped == []
    assert [a.source.rsplit(":", 1)[1] for a in corpus.articles] == ["line 2", "line 4"]


# --- 2. one long sentence without a full stop -------------------------------------------------------------

UNPUNCTUATED = ("قتل", "مقتل", "إصابة", "اعتقال", "26", "100", "3", "شخصا", "محتجا", "في", "المدينة", "و", "من",
                "وقال", "المتحدث", "إن", "الشرطة", "آخرين")


def unpunctuated(n_words: int) -> str:
    import random

    rng = random.Random(15)
    return " ".join(rng.choice(UNPUNCTUATED) for _ in range(n_words))


def test_long_unpunctuated_sentence_gives_claims_with_capped_sentence_and_full_offsets():
    text = unpunctuated(8000)            # about 50 KB, one sentence
    claims = extract_text(text)
    assert 0 < len(claims) <= 8000 // 2
    for claim in claims:
        assert text[claim.start:claim.end] == claim.quote
        assert (claim.sentence_start, claim.sentence_end) == (0, len(text))     # the whole sentence
        assert len(claim.sentence) <= SENTENCE_MAX_CHARS and claim.quote in claim.sentence
        assert claim.sentence.startswith("…") or claim.sentence.endswith("…")
    # the JSON lines no longer repeat the sentence: bounded by the cap per claim
    assert sum(len(c.sentence) for c in claims) <= len(claims) * SENTENCE_MAX_CHARS


def test_sentence_excerpt_cuts_around_the_quote_with_ellipses():
    text = "ا" * 3000 + " قتل 5 أشخاص " + "ب" * 3000
    q = text.index("5")
    cut = sentence_excerpt(text, 0, len(text), q, q + 1, limit=100)
    assert len(cut) == 100 and cut.startswith("…") and cut.endswith("…") and "5" in cut
    assert sentence_excerpt("قتل 5 أشخاص", 0, 11, 4, 5) == "قتل 5 أشخاص"       # short: unchanged


def test_short_sentences_are_stored_whole(seed_corpus):
    for article in seed_corpus.articles:
        for claim in extract_claims(article):
            assert claim.sentence == article.text[claim.sentence_start:claim.sentence_end]


def test_block_reading_of_a_long_article_gives_the_one_pass_claims(seed_corpus, monkeypatch):
    """Articles over BLOCK_CHARS are read in blocks of lines (memory); the claims must not change."""
    from kzlib.corpus import _article

    text = "\n".join(article.text for article in seed_corpus.articles)
    article = _article("joined", text, "test", {}, {})
    one_pass = extract_claims(article)
    monkeypatch.setattr(claims_module, "BLOCK_CHARS", 400)
    assert len(list(claims_module._blocks(text, article.body_spans(), 400))) > 10
    assert extract_claims(article) == one_pass and len(one_pass) >= 15


# --- 3. every entry of a folder is loaded or listed ----------------------------------------------------------

def test_every_folder_entry_is_loaded_or_skipped_with_its_reason(capsys, corpus_dir):
    (corpus_dir / "a.txt").write_text(KILLED_5, encoding="utf-8")
    (corpus_dir / "sub").mkdir()
    (corpus_dir / "sub" / "b.txt").write_text(KILLED_7, encoding="utf-8")
    (corpus_dir / ".hidden.txt").write_text(KILLED_9, encoding="utf-8")
    (corpus_dir / "dangling.txt").symlink_to("nowhere.txt")
    (corpus_dir / "loop1.txt").symlink_to("loop2.txt")
    (corpus_dir / "loop2.txt").symlink_to("loop1.txt")
    os.mkfifo(corpus_dir / "pipe.txt")
    before = snapshot(corpus_dir)
    code, out, err = kz(capsys, "extract", corpus_dir)
    assert code == 0 and values(out) == [("killed", 5.0)]
    reasons = {line.split(": ", 1)[0].rsplit("/", 1)[1]: line.split(": ", 1)[1]
               for line in err.splitlines() if line.startswith("skipped ")}
    assert reasons == {
        ".hidden.txt": "hidden file (name starts with '.'): not read",
        "dangling.txt": "broken symbolic link (to nowhere.txt): not read",
        "loop1.txt": "symbolic link loop: not read",
        "loop2.txt": "symbolic link loop: not read",
        "pipe.txt": "not a regular file (a pipe, socket or device): not read",
        "sub": "subfolder, not read (give --recursive to read subfolders)",
    }
    assert "kz extract: 1 articles loaded, 6 skipped; 1 subfolder not read (--recursive reads them)" in err
    code, out, err = kz(capsys, "extract", corpus_dir, "--recursive")
    assert code == 0 and values(out) == [("killed", 5.0), ("killed", 7.0)]
    assert "2 articles loaded, 5 skipped; subfolders read" in err
    assert snapshot(corpus_dir) == before


def test_folder_holding_only_subfolders_is_not_called_empty(capsys, corpus_dir):
    (corpus_dir / "sub").mkdir()
    (corpus_dir / "sub" / "b.txt").write_text(KILLED_7, encoding="utf-8")
    code, out, err = kz(capsys, "extract", corpus_dir)
    assert (code, out) == (1, "")
    assert "empty folder" not in err and "sub: subfolder, not read" in err


# --- 4. overlapping inputs ------------------------------------------------------------------------------------

def test_overlapping_inputs_are_read_once(capsys, corpus_dir):
    for name, text in (("a.txt", KILLED_5), ("b.txt", KILLED_7)):
        (corpus_dir / name).write_text(text, encoding="utf-8")
    _, once, _ = kz(capsys, "extract", corpus_dir)
    code, twice, err = kz(capsys, "extract", corpus_dir, corpus_dir)
    assert code == 0 and twice == once and "folder already read" in err
    code, again, err = kz(capsys, "extract", corpus_dir, corpus_dir / "a.txt")
    assert code == 0 and again == once and "a.txt: already read as" in err
    (corpus_dir / "copy.txt").write_bytes((corpus_dir / "a.txt").read_bytes())
    code, copied, err = kz(capsys, "extract", corpus_dir)
    assert copied == once and "copy.txt: same bytes as" in err and "2 articles loaded, 1 skipped" in err


# --- 5. one English passage on the line -----------------------------------------------------------------------

def test_an_english_sentence_does_not_delete_the_arabic_ones_on_its_line(capsys, corpus_dir):
    text = 'قتل 26 شخصا في المدينة. وقال البيان بالإنجليزية: "The alliance deployed 2,500 troops to the city today."'
    path = corpus_dir / "e.jsonl"
    path.write_text(json.dumps({"id": "e", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, err = kz(capsys, "extract", path)
    assert code == 0 and values(out) == [("killed", 26.0)]
    (article,) = load_corpus(path).articles
    assert [(s.kind, s.text[:4]) for s in article.furniture] == [("foreign_language", "وقال")]


# --- 6. --out never destroys inputs ---------------------------------------------------------------------------

def test_out_refuses_inputs_manifests_input_folders_and_raw_data(capsys, corpus_dir, tmp_path):
    (corpus_dir / "a.txt").write_text(KILLED_5, encoding="utf-8")
    records = corpus_dir / "r.csv"
    records.write_text(f"id,text\nr,{KILLED_7}\n", encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("id,file\na,corpus/a.txt\n", encoding="utf-8")
    raw = ROOT / "data" / "raw"
    before, raw_before = snapshot(tmp_path), snapshot(raw)
    cases = [
        ((records, "--out", records), "is an input of this run"),
        ((corpus_dir, "--out", corpus_dir / "x.parquet"), "inside the input folder"),
        ((manifest, "--out", corpus_dir / "x.csv"), "a folder the manifest"),
        ((corpus_dir / "a.txt", "--out", manifest), "exists and is not a claims ledger"),
        ((corpus_dir / "a.txt", "--out", raw / "x.csv"), "the raw data folder"),
        ((corpus_dir / "a.txt", "--out", ROOT / "data" / "corpus.csv"), "the project's corpus manifest"),
        ((corpus_dir / "a.txt", "--dask", "sync", "--out", tmp_path), "holds an input of this run"),
    ]
    for args, reason in cases:
        code, out, err = kz(capsys, "extract", *args)
        assert code == 2 and out == "" and reason in err, (args, err)
        assert len(err.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before and snapshot(raw) == raw_before
    code, _, err = kz(capsys, "extract", corpus_dir / "a.txt", "--out", tmp_path / "ledger.csv")
    assert code == 0 and (tmp_path / "ledger.csv").exists()
    code, _, err = kz(capsys, "extract", corpus_dir / "a.txt", "--out", tmp_path / "ledger.csv")
    assert code == 0, "an existing ledger may be replaced"


# --- 7. manifest paths stay in the manifest's folder ---------------------------------------------------------

@pytest.mark.parametrize("listed", ["../outside.txt", "/etc/hostname", "sub/../../outside.txt"])
def test_manifest_path_outside_its_folder_is_refused(capsys, tmp_path, listed):
    (tmp_path / "outside.txt").write_text(KILLED_5, encoding="utf-8")
    folder = tmp_path / "m"
    (folder / "sub").mkdir(parents=True)
    (folder / "corpus.csv").write_text(f"id,file,outlet\nc,{listed},z\n", encoding="utf-8")
    code, out, err = kz(capsys, "extract", folder / "corpus.csv")
    assert (code, out) == (2, "")
    assert f"corpus.csv: line 2: file {listed!r} listed for 'c' is outside the manifest's folder" in err
    assert "skipped" not in err           # nothing of the outside folder is listed either


# --- 8. an unreadable file --------------------------------------------------------------------------------------

@pytest.fixture
def unreadable(monkeypatch):
    """Make one path unreadable: chmod 000 for a normal user; root reads anything, so its opens fail here."""
    def make(path: Path) -> None:
        if os.geteuid() != 0:
            path.chmod(0)
            return
        target = os.fspath(path)

        def guard(real):
            def opener(file, *args, **kwargs):
                if os.fspath(file) == target if isinstance(file, (str, os.PathLike)) else False:
                    raise PermissionError(13, "Permission denied", target)
                return real(file, *args, **kwargs)
            return opener
        monkeypatch.setattr(builtins, "open", guard(builtins.open))
        monkeypatch.setattr(io, "open", guard(io.open))
    return make


@pytest.mark.parametrize("out", [None, "ledger.csv", "ledger.parquet"])
def test_unreadable_file_is_a_skip_and_the_others_are_read(capsys, corpus_dir, tmp_path, unreadable, out):
    for name, text in (("a.txt", KILLED_5), ("b.txt", KILLED_7), ("c.txt", KILLED_9)):
        (corpus_dir / name).write_text(text, encoding="utf-8")
    unreadable(corpus_dir / "b.txt")
    args = ["extract", corpus_dir] + (["--out", tmp_path / out] if out else [])
    code, stdout, err = kz(capsys, *args)
    assert code == 0
    assert "b.txt: cannot read: Permission denied" in err and "2 articles loaded, 1 skipped" in err
    if out:
        from kzlib.ledger import read_ledger

        assert list(read_ledger(tmp_path / out)["value"]) == [5.0, 9.0]
    else:
        assert values(stdout) == [("killed", 5.0), ("killed", 9.0)]


# --- 9. numbers -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, expected", [
    ("9" * 400, [("killed", None, "out_of_range")]),
    ("1e9", [("killed", 1e9, "exact")]),
    ("1 300", [("killed", 1300.0, "exact")]),
    ("1\u00a0300", [("killed", 1300.0, "exact")]),
    ("1\u2009300", [("killed", 1300.0, "exact")]),
    ("1\u202f300", [("killed", 1300.0, "exact")]),
    ("1,300", [("killed", 1300.0, "exact")]),
    ("1.300", [("killed", 1300.0, "exact")]),
])
def test_numbers_out_of_range_scientific_and_space_grouped(capsys, corpus_dir, written, expected):
    path = corpus_dir / "n.txt"
    path.write_text(f"قتل {written} شخص في المدينة.", encoding="utf-8")
    code, out, err = kz(capsys, "extract", path)
    assert code == 0
    rows = [json.loads(line, parse_constant=lambda c: pytest.fail(f"not JSON: {c}")) for line in out.splitlines()]
    assert [(r["category"], r["value"], r["qualifier"]) for r in rows] == expected
    assert rows[0]["quote"].startswith(written)


def test_a_year_and_a_count_side_by_side_stay_two_numbers():
    claims = extract_text("وفي عام 2022 300 قتيل في المدينة.")
    assert [(c.category, c.value) for c in claims] == [("killed", 300.0)]


# --- 10. ordinary conditions end in one line and an exit code, never a traceback ------------------------------------

def _kz_process(*args, **kwargs) -> subprocess.Popen:
    # SIGINT as a terminal delivers it: a shell starts background jobs (a CI runner's, `make test &`) with
    # SIGINT ignored, and Python then never turns it into KeyboardInterrupt
    return subprocess.Popen([sys.executable, "-m", "kzlib.cli", *map(str, args)], cwd=ROOT,
                            preexec_fn=_default_sigint, **kwargs)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_until(condition, process: subprocess.Popen, timeout: float = 120.0) -> bool:
    """Poll `condition()` until it holds (True), `process` ends or `timeout` passes (False): a fixed sleep
    wastes seconds on an idle machine and can come too early on a loaded one."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _has_open(process: subprocess.Popen, path: Path) -> bool:
    """Whether `process` has `path` open (Linux /proc): it is reading its corpus, past imports and lexicons."""
    target = os.path.realpath(path)     # /proc shows the resolved path
    try:
        return any(os.readlink(fd) == target for fd in Path(f"/proc/{process.pid}/fd").iterdir())
    except OSError:             # a descriptor closed while listed, or the process just ended
        return False


def _writing_into(folder: Path) -> bool:
    """Whether a temporary file holding data is in `folder` (a ledger being written)."""
    try:
        return any(p.name.endswith(".tmp") and p.stat().st_size > 0 for p in folder.iterdir())
    except FileNotFoundError:           # renamed into place between the listing and the stat
        return False


def _many_articles(folder: Path, n: int) -> Path:
    path = folder / "many.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            text = f"قتل {i + 2} أشخاص في المدينة. واعتقلت الشرطة {i + 40} شخصا. " * 6
            handle.write(json.dumps({"id": f"a{i}", "text": text}, ensure_ascii=False) + "\n")
    return path


@pytest.mark.slow    # starts `kz` processes (each imports the library: seconds)
def test_closed_pipe_ends_quietly(tmp_path):
    path = _many_articles(tmp_path, 300)
    process = _kz_process("extract", path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()              # `| head -1`
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0 and "Traceback" not in err


@pytest.mark.slow    # starts `kz` processes (each imports the library: seconds)
def test_full_disk_is_one_line_and_exit_1(tmp_path):
    path = _many_articles(tmp_path, 5)
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "kzlib.cli", "extract", str(path)], cwd=ROOT, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "kz extract: cannot write the output: No space left on device"


@pytest.mark.slow    # starts `kz` processes (each imports the library: seconds)
@pytest.mark.parametrize("signum, args", [
    (signal.SIGINT, ("extract", "{corpus}")),
    (signal.SIGINT, ("extract", "{corpus}", "--out", "{tmp}/ledger.parquet")),
    (signal.SIGTERM, ("extract", "{corpus}", "--out", "{tmp}/ledger.parquet")),
])
def test_interrupt_is_one_line_exit_130_and_leaves_no_temporary_file(tmp_path, signum, args):
    corpus = _many_articles(tmp_path / "in" if (tmp_path / "in").mkdir() is None else tmp_path, 4000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    process = _kz_process(*(a.format(corpus=corpus, tmp=out_dir) for a in args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    if "--out" in args:                 # inside the extraction: its temporary ledger is being written
        assert _wait_until(lambda: _writing_into(out_dir), process), "no temporary ledger before the signal"
    elif Path(f"/proc/{process.pid}/fd").is_dir():     # inside the extraction: reading the corpus
        assert _wait_until(lambda: _has_open(process, corpus), process), "the corpus was never opened"
    else:                               # no /proc: past the imports, inside the extraction, by the clock
        time.sleep(3)
    assert process.poll() is None, "the run ended before the signal: make the corpus bigger"
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    # 130, or (SIGINT only, about 1 run in 25 while pyarrow writes) a death by the same SIGINT after the
    # message and the clean-up: a shell shows both as $? = 130; the message and the removed files are checked
    assert process.returncode == 130 or signum == signal.SIGINT and process.returncode == -signal.SIGINT, err
    assert err.decode().strip().splitlines()[-1] == "kz extract: interrupted" and b"Traceback" not in err
    assert out == b"" and list(out_dir.iterdir()) == []


def test_report_argument_errors_are_one_line(capsys):
    code, out, err = kz(capsys, "report", "--param", "novalue")
    assert code == 2 and out == ""
    assert err.strip() == "kz report: argument --param: 'novalue': give NAME=VALUE (for example " \
                          "ledger=data/processed/claims.parquet) (see kz report --help)"
    code, _, err = kz(capsys, "report", "--jobs", "two")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not a whole number" in err


def test_missing_inputs_are_one_line_exit_2(capsys, tmp_path):
    for args, message in ((("entities", tmp_path / "nonexist"), "nonexist: no such file or folder"),
                          (("evaluate", "--gold", tmp_path / "nonexist"), "nonexist: no gold annotations"),
                          (("extract", tmp_path / "nonexist"), "nonexist: no such file or folder")):
        code, out, err = kz(capsys, *args)
        assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_unwritable_output_folder_is_one_line_exit_1(capsys, corpus_dir, tmp_path, monkeypatch):
    (corpus_dir / "a.txt").write_text(KILLED_5, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() != 0:
        locked.chmod(0o555)
    else:                               # root writes anywhere: the temporary file cannot be made
        import kzlib.io

        def refuse(*args, dir=None, **kwargs):
            raise PermissionError(13, "Permission denied", str(dir))
        monkeypatch.setattr(kzlib.io.tempfile, "mkstemp", refuse)
    code, out, err = kz(capsys, "extract", corpus_dir, "--out", locked / "x.parquet")
    assert code == 1 and "Permission denied" in err.strip().splitlines()[-1] and "Traceback" not in err
    assert list(locked.iterdir()) == []


def test_file_name_that_is_not_utf8_is_escaped_not_a_crash(capsys, tmp_path):
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"b\xff.txt"), "wb") as handle:
        handle.write(KILLED_5.encode())
    code, _, err = kz(capsys, "extract", os.fsdecode(os.path.join(folder, b"b\xff.txt")), "--out", tmp_path / "o.parquet")
    assert code == 0, err
    from kzlib.ledger import read_ledger

    assert list(read_ledger(tmp_path / "o.parquet")["article_id"]) == ["b\\xff"]


# --- 12. leftovers of killed runs ----------------------------------------------------------------------------------

def test_temporary_files_of_dead_writers_are_removed_live_ones_kept(capsys, corpus_dir, tmp_path):
    (corpus_dir / "a.txt").write_text(KILLED_5, encoding="utf-8")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftovers = {
        "dead": tmp_path / f".ledger.parquet.{dead.pid}-abcd1234.tmp",
        "old_style": tmp_path / ".ledger.parquet.k3j2h1g0.tmp",
        "live": tmp_path / f".ledger.parquet.{os.getpid()}-efgh5678.tmp",
        "other_target": tmp_path / f".other.parquet.{dead.pid}-abcd1234.tmp",
    }
    for path in leftovers.values():
        path.write_bytes(b"half a ledger")
    hour_ago = time.time() - 7200
    os.utime(leftovers["old_style"], (hour_ago, hour_ago))
    code, _, _ = kz(capsys, "extract", corpus_dir, "--out", tmp_path / "ledger.parquet")
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == sorted(
        leftovers[k].name for k in ("live", "other_target"))


@pytest.mark.slow    # starts a `kz` process (it imports the library: seconds)
def test_sigkill_leftover_is_removed_by_the_next_run(tmp_path, capsys):
    corpus = _many_articles(tmp_path, 4000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    process = _kz_process("extract", corpus, "--out", out_dir / "ledger.parquet", stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    assert _wait_until(lambda: _writing_into(out_dir), process)    # kill it once it is writing
    process.kill()
    process.wait(timeout=60)
    # the ledger's temporary file, and the text tables' folder once a first chunk was written
    assert {p.name.endswith(".tmp") for p in out_dir.iterdir()} == {True}
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps({"id": "s", "text": KILLED_5}, ensure_ascii=False) + "\n", encoding="utf-8")
    # the next run, in this process: a process other than the killed writer, as a second `kz` would be
    code, _, err = kz(capsys, "extract", small, "--out", out_dir / "ledger.parquet")
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["ledger.parquet", "ledger.text_tables"]


# --- 14. messages and exit codes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, reason", [
    ("bom16.txt", KILLED_5.encode("utf-16"), "UTF-16 text (byte order mark FF FE), not UTF-8: save it as UTF-8"),
    ("raw16.txt", KILLED_5.encode("utf-16-le"), "looks like UTF-16 text without a byte order mark"),
    ("bom16.csv", f"id,text\na,{KILLED_5}\n".encode("utf-16"), "UTF-16 text (byte order mark FF FE)"),
    ("bom16.jsonl", json.dumps({"text": KILLED_5}).encode("utf-16"), "UTF-16 text (byte order mark FF FE)"),
    ("null.jsonl", b'{"id": "n", "text": null}\n', "'text' is null (no article text)"),
    ("empty.jsonl", b"", "no records (the file is empty or holds only blank lines)"),
    ("header.csv", b"id,text\n", "no records (a header only)"),
])
def test_unusable_file_is_named_as_what_it_is_and_exit_1(capsys, corpus_dir, name, content, reason):
    path = corpus_dir / name
    path.write_bytes(content)
    code, out, err = kz(capsys, "extract", path)
    assert (code, out) == (1, "")
    assert reason in err and "0 articles loaded, 1 skipped" in err and "Traceback" not in err


def test_extract_to_stdout_prints_the_counts_on_stderr(capsys):
    code, out, err = kz(capsys, "extract", ROOT / "data" / "raw")
    assert code == 0 and len(out.splitlines()) == 21
    assert err.strip() == "kz extract: 5 articles loaded, 0 skipped"       # no subfolder: nothing to say about them


def test_late_corpus_errors_leave_stdout_empty(capsys, corpus_dir, tmp_path):
    path = corpus_dir / "d.jsonl"
    path.write_text("".join(json.dumps({"id": "same", "text": t}, ensure_ascii=False) + "\n"
                            for t in (KILLED_5, KILLED_7)), encoding="utf-8")
    code, out, err = kz(capsys, "extract", path)
    assert (code, out) == (2, "") and "d.jsonl:line 2: duplicate id 'same'" in err
    # a checksum mismatch in the manifest's last row: found before any claim is printed
    raw = tmp_path / "m" / "raw"
    raw.mkdir(parents=True)
    rows = []
    for i, text in enumerate((KILLED_5, KILLED_7)):
        (raw / f"{i}.txt").write_text(text, encoding="utf-8")
        rows.append(f"{i},raw/{i}.txt,{hashlib.sha256(text.encode()).hexdigest()}")
    (raw / "1.txt").write_text(KILLED_9, encoding="utf-8")     # edited after the manifest was made
    (tmp_path / "m" / "corpus.csv").write_text("id,file,sha256\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = kz(capsys, "extract", tmp_path / "m" / "corpus.csv")
    assert (code, out) == (2, "") and "1.txt: sha256" in err and "does not match the manifest" in err


def test_stray_csv_or_parquet_without_text_is_a_skip_like_any_other_file(capsys, corpus_dir):
    import pandas as pd

    (corpus_dir / "a.txt").write_text(KILLED_5, encoding="utf-8")
    (corpus_dir / "stray.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    pd.DataFrame({"x": [1]}).to_parquet(corpus_dir / "stray.parquet")
    (corpus_dir / "notes.md").write_text("ملاحظات", encoding="utf-8")
    code, out, err = kz(capsys, "extract", corpus_dir)
    assert code == 0 and values(out) == [("killed", 5.0)]
    assert "stray.csv: no 'text' column" in err and "stray.parquet: no 'text' column" in err
    assert "notes.md: unsupported file type '.md'" in err and "1 articles loaded, 3 skipped" in err


def test_a_loaded_corpus_handed_to_the_ledger_writer_reports_each_skip_once(capsys, corpus_dir, tmp_path, caplog):
    from kzlib.ledger import write_ledger

    (corpus_dir / "a.txt").write_text(KILLED_5, encoding="utf-8")
    (corpus_dir / "n.md").write_text("x", encoding="utf-8")
    corpus = load_corpus(corpus_dir)          # logs its skips (kz report shows the log)
    capsys.readouterr()
    write_ledger(corpus, tmp_path / "l.parquet")
    assert "n.md" not in capsys.readouterr().err
    assert sum("n.md" in r.getMessage() for r in caplog.records) == 1


def test_read_tsv_names_the_physical_line(tmp_path):
    from kzlib.tsv import read_tsv

    path = tmp_path / "t.tsv"
    path.write_text("# a comment\n\nterm\tlabel\nx\ty\n\n# another\nbroken\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"t\.tsv: line 7: 1 columns where the header has 2"):
        read_tsv(path)


def test_iter_articles_accepts_several_inputs_as_one_walk(corpus_dir):
    (corpus_dir / "a.txt").write_text(KILLED_5, encoding="utf-8")
    items = list(iter_articles([corpus_dir, corpus_dir / "a.txt"]))
    assert [type(i).__name__ for i in items] == ["Article", "Skip"]


# --- random text: no exception, valid offsets, bounded claims ------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("قتلمصرعإصابةاعتقالشخصاأفرادجنودفيالمدينةوقالمنعلىنحوأكثرآلافمئاتعشرات") +
    list("abcdefXYZ") + list("0123456789٠١٢٣٤٥٦٧٨٩") + list(".,،؛:!?؟\"«»“”()-–/%") +
    [" ", " ", " ", "\n", "\t", "\r", "\u00a0", "\u2009", "\u200f", "\u0640", "\x00", "\x07", "\x1b", "\ufeff",
     "\u064e", "\u0651"])
_WORDS = st.sampled_from(["قتل", "مقتل", "إصابة", "اعتقال", "أكثر من", "نحو", "عشرات", "آلاف", "ألف", "مئة",
                          "خمسة", "عشرين", "شخصا", "جنود", "قتيلا", "جريحا", "26", "1,300", "1 300", "1e9",
                          "2022", "12/1/2022", "10:30", "إل-76", "بين 10 و20", "وقال", "حسب", "«", "»"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_ALPHABET, _WORDS.map(lambda w: f" {w} ")), max_size=400).map("".join))
def test_random_text_gives_valid_claims(text):
    claims = extract_text(text)
    assert len(claims) <= max(1, len(text.encode("utf-8"))) / 1000 * 500 + 1     # claims per KB bounded
    for c in claims:
        assert 0 <= c.sentence_start <= c.start < c.end <= c.sentence_end <= len(text)
        assert text[c.start:c.end] == c.quote
        whole = text[c.sentence_start:c.sentence_end]
        assert c.sentence == whole if len(whole) <= SENTENCE_MAX_CHARS else len(c.sentence) <= SENTENCE_MAX_CHARS
        assert c.quote in c.sentence
        assert c.value is None or c.value == c.value and c.value != float("inf")
