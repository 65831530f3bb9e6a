"""kzlib.report: HTML helpers (escaping, right-to-left marking, index) and, marked e2e, the whole report run
on the seed corpus (conftest.seed_report_run), on a tiny JSONL corpus analysed from a ledger folder and
completed with `only`, and with a failing notebook (previous report left intact)."""

from __future__ import annotations

import contextlib
import html
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import HOSTILE_ID

from kzlib import briefing, report
from kzlib.charts import has_presentation_forms
from kzlib.paths import MANIFEST, NOTEBOOKS, RAW

HEADLINE = "روسيا تعلن اكتمال نشر قوات حفظ السلام في كازاخستان"


# --- helpers, fast ---------------------------------------------------------------------------

def test_mark_rtl_sets_direction_per_block():
    page = ("<html><head></head><body><p>Claims per category, in English.</p>"
            f"<p>{HEADLINE}</p><table><tr><td>killed</td><td>{HEADLINE}</td></tr></table></body></html>")
    soup = BeautifulSoup(report.mark_rtl(page), "html.parser")
    english, arabic = soup.find_all("p")
    assert not english.has_attr("dir")
    assert arabic["dir"] == "rtl"
    cells = soup.find_all("td")
    assert not cells[0].has_attr("dir") and cells[1]["dir"] == "rtl"
    assert "direction: rtl" in soup.head.style.string


def test_select_notebooks_by_number_or_name(tmp_path):
    for name in ("01_corpus_overview", "02_claims", "10_extra", "notes"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    names = lambda paths: [p.stem for p in paths]  # noqa: E731
    assert names(report.select_notebooks(tmp_path)) == ["01_corpus_overview", "02_claims", "10_extra"]
    assert names(report.select_notebooks(tmp_path, ["2", "corpus_overview"])) == ["01_corpus_overview", "02_claims"]
    assert report.select_notebooks(tmp_path, ["99"]) == []


def test_title_and_description_come_from_the_first_markdown_cell():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("# 03 · Casualty tables\n\nOne row per report. Then more.\n\n**Inputs**: x"),
    ])
    assert briefing.first_markdown(nb) == ("03 · Casualty tables", "One row per report.")


def test_index_escapes_everything(tmp_path):
    from kzlib.briefing import write_briefing

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · <b>bold</b>\n\nشرح & <i>x</i>.")])
    executed = tmp_path / "01_x.ipynb"
    nbformat.write(nb, executed)
    (tmp_path / "findings").mkdir()
    (tmp_path / "findings" / "01_x.json").write_text(json.dumps({"found": "3 <em>articles</em>"}), encoding="utf-8")
    run = report.NotebookRun(path=executed, index=1, executed=executed, seconds=1.5, ok=True)
    ledger = tmp_path / "claims.parquet"
    from kzlib.ledger import claims_frame

    claims_frame(SEED).to_parquet(ledger, index=False)
    summary = report.RunSummary(corpus="<corpus>.csv", articles=2, skipped=1,
                                skipped_reasons=[("bad.txt", "binary <file>")], claims=7, ledger=str(ledger))
    page = write_briefing(tmp_path / "index.html", [run], summary, tmp_path).read_text(encoding="utf-8")
    assert "<b>bold" not in page and "&lt;b&gt;bold" in page
    assert "&lt;corpus&gt;.csv" in page and "binary &lt;file&gt;" in page
    assert "3 &lt;em&gt;articles&lt;/em&gt;" in page
    assert 'href="html/01_x.html"' in page and "1.5 s" in page
    assert "2 articles loaded, 1 skipped; 7 claims" in page


def test_missing_corpus_or_ledger_module_is_a_clear_error(tmp_path, monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_ledger(name, *args, **kwargs):
        if name == "kzlib.ledger":
            raise ImportError("No module named 'kzlib.ledger'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ledger)
    assert report.build_report(RAW, tmp_path / "out") == 2
    assert "write_ledger not available" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary folder left behind


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path, capsys):
    precious = tmp_path / "Desktop"
    precious.mkdir()
    (precious / "thesis.docx").write_text("draft")
    assert report.build_report(RAW, precious) == 2
    assert "refusing to replace" in capsys.readouterr().err
    assert (precious / "thesis.docx").read_text() == "draft"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Desktop"]


def test_longest_first_uses_the_previous_reports_durations(tmp_path):
    runs = [report.NotebookRun(Path(f"{name}.ipynb"), i) for i, name in enumerate(["01_a", "02_b", "03_c", "04_d"], 1)]
    assert report.longest_first(runs, tmp_path) == [0, 1, 2, 3]  # first run: number order
    for name, seconds in (("01_a", 0.5), ("02_b", 3.0), ("04_d", 1.5)):
        (tmp_path / f"{name}.ipynb").write_text(json.dumps({"metadata": {"papermill": {"duration": seconds}}}))
    (tmp_path / "03_c.ipynb").write_text("not json")
    assert report.longest_first(runs, tmp_path) == [2, 1, 3, 0]  # unknown first, then longest first


def test_default_jobs_follows_the_cores_and_the_cli_takes_jobs(monkeypatch):
    import os

    from kzlib.cli import build_parser

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert report.default_jobs(6) == 4 and report.default_jobs(2) == 2
    assert report.default_jobs(6, claims=report.LARGE_LEDGER_CLAIMS) == 4
    assert report.default_jobs(6, claims=report.LARGE_LEDGER_CLAIMS + 1) == 1     # memory, not cores
    assert build_parser().parse_args(["report", "--jobs", "3"]).jobs == 3
    assert build_parser().parse_args(["report"]).jobs is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["report", "--jobs", "0"])


# --- end to end ------------------------------------------------------------------------------

SEED = MANIFEST if MANIFEST.is_file() else RAW
TINY = [
    {"id": "tiny-1", "outlet": "وكالة الأنباء", "date": "2022-01-07", "headline": "مقتل 3 & إصابة <10> في ألماتي",
     "text": "مقتل 3 & إصابة <10> في ألماتي\n\nقالت وزارة الداخلية إن 3 أشخاص قتلوا وأصيب 10 آخرون في ألماتي أمس."},
    {"id": "tiny-2", "outlet": "Example News", "date": "2022-01-08", "headline": "اعتقال 200 شخص",
     "text": "اعتقال 200 شخص\n\nأعلنت السلطات الكازاخية اعتقال نحو 200 شخص خلال الاحتجاجات في البلاد."},
]


def _html_text(path: Path) -> tuple[str, BeautifulSoup]:
    page = path.read_text(encoding="utf-8")
    return page, BeautifulSoup(page, "html.parser")


@pytest.fixture(scope="module")
def seed_report(seed_report_run):
    """conftest.seed_report_run (the seeds plus one hostile article, reported once per session) as (code, out)."""
    return seed_report_run.code, seed_report_run.out


@pytest.mark.e2e
def test_seed_report_index_links_every_notebook(seed_report):
    code, out = seed_report
    assert code == 0
    _, soup = _html_text(out / "index.html")
    links = {a["href"] for a in soup.find_all("a")}
    for notebook in report.select_notebooks(NOTEBOOKS):
        href = f"html/{notebook.stem}.html"
        assert href in links, href
        assert (out / href).is_file()
        assert (out / "notebooks" / notebook.name).is_file()
    assert not list(out.parent.glob(".reports.*")), "temporary build folder left behind"


@pytest.mark.e2e
def test_the_notebooks_read_the_text_tables_written_with_the_ledger_not_the_texts(seed_report):
    # kz report extracts the ledger and, in the same pass, the tables the notebooks need from the texts
    code, out = seed_report
    assert code == 0
    assert (out / "tables" / "claims.text_tables" / "manifest.json").is_file()
    for page, table in (("01_corpus_overview", "articles"), ("03_casualties", "date_mentions"),
                        ("04_sources", "source_mentions"), ("04_sources", "framing_hits"),
                        ("05_timeline", "date_mentions"), ("06_entities", "entities")):
        text, _ = _html_text(out / "html" / f"{page}.html")
        assert f"{table}: " in text and "rows stored beside the ledger" in text, (page, table)


@pytest.mark.e2e
def test_the_published_report_is_readable_as_plain_files_are(seed_report):
    # built in a temporary folder (owner-only); what is published gets the umask's permissions
    import stat

    from kzlib.io import default_mode

    code, out = seed_report
    assert code == 0
    assert stat.S_IMODE(out.stat().st_mode) == default_mode(directory=True)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 20
    wrong = [(p.relative_to(out), oct(stat.S_IMODE(p.stat().st_mode))) for p in files
             if stat.S_IMODE(p.stat().st_mode) & 0o444 != default_mode() & 0o444]
    assert not wrong


@pytest.mark.e2e
def test_seed_overview_shows_outlets_and_headlines_escaped_and_rtl(seed_report):
    from kzlib.corpus import load_corpus

    _, out = seed_report
    corpus = load_corpus(SEED)
    page, soup = _html_text(out / "html" / "01_corpus_overview.html")
    for article in corpus.articles:
        assert article.outlet in soup.get_text()
    headline = next(a.headline for a in corpus.articles if a.headline)
    assert html.escape(headline, quote=False) in page
    rtl_cells = [td for td in soup.find_all(["td", "table"]) if td.get("dir") == "rtl"]
    assert any(headline in cell.get_text() for cell in rtl_cells)
    assert soup.find("img", src=lambda s: s and s.startswith("data:image/png;base64,")), "figure not embedded"
    assert "def " not in soup.get_text() and "import " not in soup.get_text(), "code cells should be hidden"


@pytest.mark.e2e
def test_seed_reports_embed_every_saved_figure_with_code_hidden(seed_report):
    import base64

    _, out = seed_report
    embedded = set()
    for page_path in (out / "html").glob("*.html"):
        page, soup = _html_text(page_path)
        assert "import " not in soup.get_text(), f"{page_path.name}: code cells should be hidden"
        assert 'dir="rtl"' in page, f"{page_path.name}: no Arabic block marked right-to-left"
        for img in soup.find_all("img", src=lambda s: s and s.startswith("data:image/png;base64,")):
            embedded.add(base64.b64decode(img["src"].split(",", 1)[1]))
    saved = {png.read_bytes() for png in (out / "figures").glob("*.png")}
    assert saved and saved <= embedded, "a figure in figures/ is not the one shown in its report"


@pytest.mark.e2e
def test_seed_figures_and_tables(seed_report):
    from PIL import Image

    from kzlib.corpus import load_corpus

    _, out = seed_report
    for png in (out / "figures").glob("*.png"):
        with Image.open(png) as image:
            image.verify()
        assert ET.parse(png.with_suffix(".svg")).getroot().tag.endswith("svg")
    assert (out / "figures" / "01_words_per_article.png").is_file()

    expected_ids = sorted(a.id for a in load_corpus(SEED).articles) + [HOSTILE_ID]   # the shared report's corpus
    assert len(expected_ids) == len(list(RAW.glob("*.txt"))) + 1
    for suffix in ("csv", "parquet"):
        path = out / "tables" / f"01_articles.{suffix}"
        frame = pd.read_csv(path, dtype=str) if suffix == "csv" else pd.read_parquet(path)
        assert sorted(frame["id"].astype(str)) == expected_ids
    assert (out / "tables" / "claims.parquet").is_file()
    for csv in (out / "tables").glob("*.csv"):
        assert not has_presentation_forms(csv.read_text(encoding="utf-8")), f"{csv.name} holds reshaped text"


def _tiny_jsonl(folder: Path) -> Path:
    corpus = folder / "tiny.jsonl"
    corpus.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in TINY) + "\n", encoding="utf-8")
    return corpus


def _per_notebook(folder: Path, prefixes) -> dict:
    """{path: bytes} of the pages, executed notebooks, figures, tables and findings of the notebooks whose
    names start with one of `prefixes` ("03_")."""
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name[:3] in prefixes and p.parent.name in ("html", "notebooks", "figures", "tables", "findings")}


def _build_captured(*args, **kwargs) -> SimpleNamespace:
    """report.build_report(*args, **kwargs) with what it prints: code, out, err."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = report.build_report(*args, **kwargs)
    return SimpleNamespace(code=code, out=out.getvalue(), err=err.getvalue())


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    """The tiny JSONL corpus reported from a ledger folder of Parquet parts (claims/part.N.parquet, as
    kzlib.scale writes them), in two runs that together run every notebook once: all but 02, then
    `only=["02"]`, which must keep the others' pages. (With the shared seed report, every notebook runs
    twice in the suite.) first, second: code, out, err of each run; kept_before: the kept notebooks' files
    after the first run; claims: the ledger's rows."""
    from kzlib.ledger import claims_frame

    folder = tmp_path_factory.mktemp("tiny_report")
    corpus = _tiny_jsonl(folder)
    claims = claims_frame(corpus)
    parts = folder / "ledger_dask" / "claims"
    parts.mkdir(parents=True)
    for number, start in enumerate(range(0, len(claims), 2)):    # several parts, read in number order
        claims.iloc[start:start + 2].to_parquet(parts / f"part.{number}.parquet", index=False)
    out = folder / "reports"
    ledger = {"ledger": str(parts.parent)}
    others = [p.stem for p in report.select_notebooks(NOTEBOOKS) if not p.name.startswith("02_")]
    first = _build_captured(corpus, out, only=others, parameters=ledger, timeout=600)
    files_02_before = sorted(str(p.relative_to(out)) for p in out.rglob("02_*"))
    kept_before = _per_notebook(out, {name[:3] for name in others})
    second = _build_captured(corpus, out, only=["02"], parameters=ledger, timeout=600)
    return SimpleNamespace(corpus=corpus, out=out, claims=claims, others=others, first=first, second=second,
                           files_02_before=files_02_before, kept_before=kept_before)


@pytest.mark.e2e
def test_tiny_jsonl_corpus_runs_through(tiny_report):
    out = tiny_report.out
    assert tiny_report.first.code == 0, tiny_report.first.err
    assert tiny_report.second.code == 0, tiny_report.second.err
    articles = pd.read_csv(out / "tables" / "01_articles.csv", dtype=str)
    assert sorted(articles["id"]) == ["tiny-1", "tiny-2"]
    page, soup = _html_text(out / "html" / "01_corpus_overview.html")
    assert "وكالة الأنباء" in soup.get_text()
    assert "&lt;10&gt;" in page and "<10>" not in page, "article text must be escaped"


@pytest.mark.e2e
def test_a_failing_notebook_keeps_the_previous_report(tiny_report, tmp_path, capsys):
    # a notebook that succeeds (and writes a table) beside a broken one: non-zero exit, the failing cell and
    # error printed, the previous report untouched (neither notebook's output published)
    assert tiny_report.second.code == 0
    out = tmp_path / "reports"
    shutil.copytree(tiny_report.out, out)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    kernel = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    parameters = nbformat.v4.new_code_cell('corpus = ""\noutput_dir = ""\nledger = ""', metadata={"tags": ["parameters"]})
    fine = nbformat.v4.new_notebook(metadata=kernel, cells=[
        nbformat.v4.new_markdown_cell("# 01 · fine\n\n**Inputs** **Outputs** **Parameters**"), parameters,
        nbformat.v4.new_code_cell('from pathlib import Path\n'
                                  '(Path(output_dir) / "tables" / "01_articles.csv").write_text("id\\nnew\\n")')])
    broken = nbformat.v4.new_notebook(metadata=kernel, cells=[
        nbformat.v4.new_markdown_cell("# 02 · broken\n\n**Inputs** **Outputs** **Parameters**"), parameters,
        nbformat.v4.new_code_cell('raise ValueError("بيانات ناقصة")')])
    nbformat.write(fine, notebooks / "01_fine.ipynb")
    nbformat.write(broken, notebooks / "02_broken.ipynb")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    code = report.build_report(tiny_report.corpus, out, timeout=600, notebooks_dir=notebooks)
    err = capsys.readouterr().err
    assert code != 0
    assert "02_broken.ipynb failed" in err and 'raise ValueError("بيانات ناقصة")' in err
    assert "ValueError: بيانات ناقصة" in err
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "reports"]


def test_a_ledger_folder_without_parquet_parts_stops_before_any_notebook(tmp_path, capsys):
    empty = tmp_path / "ledger_dask"
    empty.mkdir()
    assert report.build_report(SEED, tmp_path / "out", parameters={"ledger": str(empty)}) == 2
    assert "needs .parquet files" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.e2e
def test_a_dask_ledger_folder_is_analysed_without_extracting_again(tiny_report):
    # extract once (kzlib.scale writes claims/part.N.parquet), analyse many times: the report reads the folder
    claims, out = tiny_report.claims, tiny_report.out
    for run in (tiny_report.first, tiny_report.second):
        assert run.code == 0, run.err
        assert "[ledger]" not in run.out          # nothing was extracted
    table = pd.read_csv(out / "tables" / "02_claims_ledger.csv")
    assert len(table) == len(claims)
    assert f"{len(claims)} claims" in (out / "index.html").read_text(encoding="utf-8")


def test_stale_temporary_folders_of_killed_runs_are_removed_at_start(tmp_path, capsys):
    import os

    out = tmp_path / "reports"
    killed = tmp_path / ".reports.building-abc123"          # SIGKILLed mid-run: ledger half written
    (killed / "tables").mkdir(parents=True)
    (killed / "tables" / ".claims.parquet.x1.tmp").write_bytes(b"PAR1")
    (killed / report.BUILDER).write_text("999999999", encoding="utf-8")   # no such process
    no_pid = tmp_path / ".reports.building-older"           # killed before its pid file was written
    no_pid.mkdir()
    old = tmp_path / ".reports.old-xyz789"                  # a previous report that could not be deleted
    (old / "html").mkdir(parents=True)
    (old / "html" / "01_x.html").write_text("x", encoding="utf-8")
    os.chmod(old / "html", 0o555)
    running = tmp_path / ".reports.building-live"           # another kz report, still running
    running.mkdir()
    (running / report.BUILDER).write_text(str(os.getppid()), encoding="utf-8")
    other = tmp_path / ".elsewhere.building-abc"            # another output folder's: not ours to touch
    other.mkdir()
    assert report.build_report(SEED, out, parameters={"ledger": str(tmp_path / "none.parquet")}) == 2
    err = capsys.readouterr().err
    assert not killed.exists() and not no_pid.exists() and not old.exists()
    assert running.exists() and other.exists()
    for name in (killed.name, no_pid.name, old.name):
        assert f"report: {name}: temporary folder of an earlier run that did not finish, removed" in err
    assert running.name not in err


@pytest.mark.e2e
def test_only_reruns_that_notebook_and_keeps_the_rest_of_the_previous_report(tiny_report):
    out, others = tiny_report.out, tiny_report.others
    assert tiny_report.second.code == 0, tiny_report.second.err
    assert tiny_report.files_02_before == []                           # 02 ran in the second run only
    assert len(tiny_report.kept_before) > 20
    assert "reran 02_claims; kept " + ", ".join(others) + " from the previous report" in tiny_report.second.out
    assert _per_notebook(out, {name[:3] for name in others}) == tiny_report.kept_before   # the rest, byte for byte
    assert (out / "notebooks" / "02_claims.ipynb").is_file()
    assert (out / "html" / "02_claims.html").is_file() and (out / "tables" / "02_claims_ledger.csv").is_file()
    _, soup = _html_text(out / "index.html")
    links = {a["href"] for a in soup.find_all("a")}
    assert {f"html/{name}.html" for name in others + ["02_claims"]} <= links
    assert soup.get_text().count("kept from the previous report") == len(others)
    assert len(list((out / "articles").glob("*.html"))) == len(TINY)


def test_only_keeps_the_other_notebooks_pages_never_those_it_reruns(tmp_path):
    # what the end-to-end test above cannot see (02 had no pages before its rerun): a rerun notebook's pages
    # of the previous report are not kept; the others' are, with their figures, tables and findings
    out, build = tmp_path / "reports", tmp_path / "build"
    out.mkdir()
    (out / report.MARKER).write_text("", encoding="utf-8")
    for sub in ("html", "notebooks", *report.PER_NOTEBOOK):
        (out / sub).mkdir()
        (build / sub).mkdir(parents=True)
    notebooks = report.select_notebooks(NOTEBOOKS)
    for path in notebooks:
        (out / "html" / f"{path.stem}.html").write_text(path.stem, encoding="utf-8")
        (out / "notebooks" / path.name).write_text("{}", encoding="utf-8")
        for sub in report.PER_NOTEBOOK:
            (out / sub / f"{path.stem[:3]}{sub}.txt").write_text(sub, encoding="utf-8")
    chosen = report.select_notebooks(NOTEBOOKS, ["02"])
    kept = report._kept_from_previous(out, NOTEBOOKS, chosen)
    assert [p.name for p in kept] == [p.name for p in notebooks if not p.name.startswith("02_")]
    runs = report._copy_kept(out, build, kept, start=2)
    assert all(run.kept for run in runs) and [run.index for run in runs] == list(range(2, 2 + len(kept)))
    copied = sorted(str(p.relative_to(build)) for p in build.rglob("*") if p.is_file())
    assert copied == sorted(str(p.relative_to(out)) for p in out.rglob("*")
                            if p.is_file() and p.name != report.MARKER and not p.name.startswith("02_"))
