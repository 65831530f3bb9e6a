"""The report run: extract the claims ledger once, execute notebooks/NN_*.ipynb with papermill, export
HTML (code hidden, Arabic right-to-left) and write index.html.

papermill runs in this process, `jobs` notebooks at a time, each on its own fresh kernel started and warmed
ahead of time (kzlib.kernels) — the first ones while the ledger is extracted; each notebook's HTML is
exported as soon as it has run, while the others still execute.

Everything is built in a temporary sibling of `out` and swapped in only when every notebook succeeded,
so a failing run leaves the previous complete report in place.

Layout of `out`: index.html, html/NN_name.html, notebooks/NN_name.ipynb (executed), figures/, tables/
(tables/claims.parquet is the ledger every notebook reads).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

from kzlib.charts import arabic_share
from kzlib.io import default_mode
from kzlib.paths import NOTEBOOKS, ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates"
NOTEBOOK_NAME = re.compile(r"^(\d\d)_[\w-]+\.ipynb$")
#: A block of text is shown right-to-left when at least this share of its letters is Arabic.
RTL_THRESHOLD = 0.5
#: Cells papermill adds to executed notebooks (not counted when naming the failing cell).
PAPERMILL_TAGS = {"injected-parameters", "papermill-error-cell-tag"}
#: Marks a folder as a report this module wrote, so a later run may replace it whole.
MARKER = ".kzlib-report"


class ReportError(RuntimeError):
    """A report step failed; the message says which and why."""


@dataclass
class NotebookRun:
    path: Path                       # source notebook
    index: int                       # 1-based position in this run
    executed: Path | None = None
    seconds: float = 0.0
    ok: bool = False
    error: str = ""                  # failing cell + error, when not ok
    title: str = ""
    description: str = ""
    html: Path | None = None
    export_error: BaseException | None = None
    timings: object | None = None    # kzlib.kernels.Timings of the run

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass
class RunSummary:
    corpus: str
    articles: int | None = None
    skipped: int | None = None
    skipped_reasons: list[tuple[str, str]] = field(default_factory=list)
    claims: int | None = None
    ledger: str = ""


# --- public API ------------------------------------------------------------------------------

def build_report(corpus, out, timeout: int = 900, only: Sequence[str] | None = None,
                 parameters: dict | None = None, *, notebooks_dir=None, jobs: int | None = None) -> int:
    """Run every notebook on `corpus` and publish HTML reports into `out`; return an exit code (0 = ok).

    `parameters` are extra notebook parameters (a `ledger` given there is used instead of extracting
    one). `notebooks_dir` (default: notebooks/) is for tests; `jobs` is how many notebooks execute at
    once (default: one per available core, at most one per notebook).
    """
    out = Path(out).expanduser().resolve()
    if out.exists() and not _replaceable(out):
        print(f"report: refusing to replace {out}: it is not empty and holds no {MARKER} "
              f"(not a folder this command wrote); choose another --out", file=sys.stderr)
        return 2
    notebooks = select_notebooks(Path(notebooks_dir) if notebooks_dir else NOTEBOOKS, only)
    if not notebooks:
        print(f"report: no notebooks to run (folder {notebooks_dir or NOTEBOOKS}, only={only})", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    os.chmod(build, default_mode(directory=True))   # mkdtemp is owner-only; the published folder is not
    try:
        for sub in ("html", "notebooks", "figures", "tables"):
            (build / sub).mkdir()
        (build / MARKER).write_text("written by kzlib.report.build_report; replaced on every run\n", encoding="utf-8")
        runs = [NotebookRun(path, i) for i, path in enumerate(notebooks, 1)]
        replace = {str(build): str(out)}
        # kernels start now, while the ledger is extracted; notebooks run once it is written
        order = longest_first(runs, out / "notebooks")
        with _notebook_pool(runs, build, timeout, jobs or default_jobs(len(runs)), replace, order) as pool:
            try:
                summary, params = _prepare_inputs(corpus, build, parameters or {})
            except ReportError as exc:
                pool.abort()
                print(f"report: {exc}", file=sys.stderr)
                return 2
            _import_notebook_tools()
            failed = _run_pool(pool, runs, params)
        if failed:
            for run in failed:
                print(f"\nreport: notebook {run.path.name} failed\n{run.error}", file=sys.stderr)
            print(f"report: {out} left unchanged", file=sys.stderr)
            return 1
        try:
            broken = next((run for run in runs if run.export_error is not None), None)
            if broken is not None:
                raise broken.export_error
            write_index(build / "index.html", runs, summary)
            _swap_in(build, out)
        except Exception as exc:  # export or swap failed: say so, keep the previous report
            print(f"report: HTML export failed ({type(exc).__name__}: {exc}); {out} left unchanged", file=sys.stderr)
            return 1
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
    print(f"report: {out / 'index.html'} ({len(runs)} notebooks; {_counts_line(summary)})")
    return 0


def select_notebooks(folder: Path, only: Sequence[str] | None = None) -> list[Path]:
    """notebooks/NN_*.ipynb in number order; `only` keeps those matching a number ("2", "02") or name."""
    found = sorted(p for p in Path(folder).glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))
    if not only:
        return found
    wanted = {str(w).strip() for w in only if str(w).strip()}
    chosen = []
    for path in found:
        number = path.name[:2]
        keys = {number, str(int(number)), path.stem, path.stem[3:], path.name}
        if keys & wanted:
            chosen.append(path)
    return chosen


def _format_figure(x) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def rtl_table(frame, max_rows: int | None = None):
    """A pandas Styler for notebooks: text escaped, index hidden, Arabic columns right-to-left."""
    frame = frame.head(max_rows) if max_rows else frame
    arabic = [col for col in frame.columns if _is_text(frame[col])
              and arabic_share(" ".join(map(str, frame[col].dropna().head(50)))) >= RTL_THRESHOLD]
    from pandas.api.types import is_float_dtype

    numbers = [col for col in frame.columns if is_float_dtype(frame[col])]
    styler = frame.style.format(escape="html", na_rep="").format_index(escape="html", axis=1).hide(axis="index")
    if numbers:  # counts are whole numbers: 1,300 not 1300.000000
        styler = styler.format(_format_figure, subset=numbers, na_rep="")
    if arabic:
        styler = styler.set_properties(subset=arabic, **{"direction": "rtl", "text-align": "right",
                                                         "unicode-bidi": "plaintext"})
        long_text = [col for col in arabic if frame[col].dropna().astype(str).str.len().mean() > 40]
        if long_text:  # sentences need room, or the table grows one word per line
            styler = styler.set_properties(subset=long_text, **{"min-width": "22em"})
    styler = styler.set_table_styles([{"selector": "th", "props": [("text-align", "center")]}], overwrite=False)
    return styler


# --- steps -----------------------------------------------------------------------------------

def _resolve_input(path) -> Path:
    """A path as given relative to the working directory, else relative to the project root."""
    path = Path(path).expanduser()
    if path.is_absolute() or path.exists():
        return path.resolve()
    return (ROOT / path).resolve()


def _prepare_inputs(corpus, build: Path, extra: dict) -> tuple[RunSummary, dict]:
    """Load the corpus once and write the ledger once; return the summary and the notebook parameters."""
    from kzlib.notebook import is_ledger

    corpus_path = _resolve_input(corpus)
    extra = dict(extra)
    given_ledger = extra.pop("ledger", "") or (str(corpus_path) if is_ledger(corpus_path) else "")
    summary = RunSummary(corpus=str(corpus))
    if given_ledger:
        ledger_path = _resolve_input(given_ledger)
        if not ledger_path.exists():
            raise ReportError(f"ledger {given_ledger}: no such file or folder")
        try:
            from kzlib.ledger import ledger_rows

            summary.claims = ledger_rows(ledger_path)
        except (ValueError, OSError) as exc:   # not a ledger: say so before any notebook runs
            raise ReportError(f"ledger {given_ledger}: {exc}") from exc
    else:
        try:
            from kzlib.corpus import load_corpus
            from kzlib.ledger import ledger_rows, write_ledger
        except ImportError as exc:
            raise ReportError(f"cannot build the claims ledger: kzlib.corpus.load_corpus / "
                              f"kzlib.ledger.write_ledger not available ({exc})") from exc
        started = time.perf_counter()
        try:
            loaded = load_corpus(corpus_path)
            ledger_path = Path(write_ledger(loaded, build / "tables" / "claims.parquet"))
        except (ValueError, OSError) as exc:  # CorpusError is a ValueError naming file and place
            raise ReportError(f"corpus {corpus}: {exc}") from exc
        summary.articles, summary.skipped = len(loaded.articles), len(loaded.skipped)
        summary.skipped_reasons = [(skip.source, skip.reason) for skip in loaded.skipped]
        summary.claims = ledger_rows(ledger_path)
        print(f"[ledger] {corpus}: {_counts_line(summary)} ({time.perf_counter() - started:.1f} s)", flush=True)
    summary.ledger = str(ledger_path) if given_ledger else "tables/claims.parquet"
    params = {"corpus": str(corpus_path), "output_dir": str(build), "ledger": str(ledger_path), **extra}
    return summary, params


def default_jobs(notebooks: int) -> int:
    """Notebooks executing at once: one per core this process may use, at most one per notebook."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, notebooks))


#: Kernels started (and warmed) beyond the execution slots, so a finishing notebook's slot is taken at
#: once; with 2 slots and 6 notebooks, every kernel starts at the beginning (they fork from one server).
KERNELS_AHEAD = 4


def longest_first(runs: list[NotebookRun], previous: Path) -> list[int]:
    """Positions of `runs`, longest first by the duration papermill recorded in the previous report's
    executed notebooks (`previous`/NN_name.ipynb); notebooks without one first, in number order (so a
    first run goes in number order). Longest first keeps the cores busy to the end."""
    durations = {}
    for position, run in enumerate(runs):
        try:
            with open(previous / run.path.name, encoding="utf-8") as handle:
                durations[position] = float(json.load(handle)["metadata"]["papermill"]["duration"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(range(len(runs)), key=lambda p: (p in durations, -durations.get(p, 0.0), p))


def _import_notebook_tools() -> None:
    """Import papermill, nbformat and nbconvert here, in the main thread, while the kernels warm up.

    jsonschema (imported by nbformat) imports the optional `rfc3987_syntax` for its "iri" format check,
    which compiles a grammar on import (~0.8 s). Notebook validation never checks formats, so in this
    process it is kept from loading (only if nothing imported it yet): jsonschema then has no "iri"
    format checker; everything else is unchanged."""
    blocked = "rfc3987_syntax" not in sys.modules and "jsonschema" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes its import fail
    try:
        import jsonschema  # noqa: F401
    finally:
        if blocked and sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]  # a later explicit import works normally
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    _html_exporter()  # the main thread's exporter; worker threads make their own


def _notebook_pool(runs: list[NotebookRun], build: Path, timeout: int, jobs: int, replace_paths: dict[str, str],
                   order: list[int] | None = None):
    """A kzlib.kernels.NotebookPool over `runs`: kernels start at once; HTML export right after each run."""
    from kzlib.kernels import Job, NotebookPool

    by_source = {run.path: run for run in runs}
    total = len(runs)

    def export(job: Job) -> None:
        run = by_source[job.source]
        try:
            run.html = export_html(job.target, build / "html" / f"{run.name}.html", replace_paths=replace_paths)
        except Exception as exc:  # reported after the run, with the previous report kept
            run.export_error = exc

    def done(job: Job) -> None:
        run = by_source[job.source]
        run.executed, run.seconds, run.ok, run.timings = job.target, job.seconds, job.ok, job.timings
        if not job.ok:
            run.error = failure_details(job.target) or job.error or "papermill failed"
        status = "ok" if run.ok else "FAILED"
        print(f"[{run.index}/{total}] {run.name} ... {status} ({run.seconds:.1f} s; {job.timings.line()})", flush=True)

    jobs_list = [Job(run.path, build / "notebooks" / run.path.name) for run in runs]
    return NotebookPool(jobs_list, cwd=ROOT, workers=jobs, ahead=KERNELS_AHEAD, timeout=timeout,
                        log_dir=build / "notebooks", order=order, on_done=done, after=export)


def _run_pool(pool, runs: list[NotebookRun], params: dict) -> list[NotebookRun]:
    """Execute every notebook of `pool` with `params`; return the failed runs in notebook order."""
    failed_sources = {job.source for job in pool.run(params)}
    return [run for run in runs if run.path in failed_sources]


def failure_details(executed: Path) -> str:
    """The failing cell's source and its error, read from papermill's output notebook."""
    import nbformat

    if not executed.is_file():
        return ""
    try:
        nb = nbformat.read(executed, as_version=4)
    except Exception:
        return ""
    own_cells = [c for c in nb.cells if not set(c.metadata.get("tags", [])) & PAPERMILL_TAGS]
    for number, cell in enumerate(own_cells, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                traceback = _strip_ansi("\n".join(output.get("traceback", [])))
                return (f"cell {number} of the notebook:\n{_indent(cell.source)}\n"
                        f"error: {output.get('ename')}: {output.get('evalue')}\n{_indent(traceback)}")
    return ""


# --- HTML ------------------------------------------------------------------------------------

def export_html(executed: Path, target: Path, replace_paths: dict[str, str] | None = None) -> Path:
    """HTML of an executed notebook: code hidden, figures embedded, Arabic blocks dir="rtl"."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    body, _ = _html_exporter().from_notebook_node(nb, resources={"metadata": {"name": notebook_title(nb) or executed.stem}})
    for old, new in (replace_paths or {}).items():
        body = body.replace(old, new)  # outputs name the build folder; point them at the final one
    from kzlib.io import write_text

    return write_text(target, mark_rtl(body))


_EXPORTERS = threading.local()


def _html_exporter():
    """One nbconvert HTMLExporter per thread (lab template, code and prompts hidden)."""
    exporter = getattr(_EXPORTERS, "exporter", None)
    if exporter is None:
        from nbconvert import HTMLExporter

        exporter = _EXPORTERS.exporter = HTMLExporter(template_name="lab", exclude_input=True,
                                                      exclude_input_prompt=True, exclude_output_prompt=True)
    return exporter


#: Elements whose own text decides their direction.
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "pre", "blockquote", "caption")


def mark_rtl(page: str) -> str:
    """Add dir="rtl" to every text block and table cell whose letters are mostly Arabic; add the RTL CSS.

    Tables themselves keep left-to-right column order: they mix Arabic text with ids, numbers and English
    labels, and readers follow a claim id → quote → sentence from left to right."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    for element in soup.find_all(_BLOCKS):
        if element.has_attr("dir"):
            continue
        if arabic_share(element.get_text(" ")) >= RTL_THRESHOLD:
            element["dir"] = "rtl"
    style = soup.new_tag("style")
    style.string = (TEMPLATES / "rtl.css").read_text(encoding="utf-8")
    (soup.head or soup).append(style)
    return str(soup)


def notebook_title(nb) -> str:
    """Title and one-line description from the first markdown cell."""
    return _first_markdown(nb)[0]


def _first_markdown(nb) -> tuple[str, str]:
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        title, description = "", ""
        for line in cell.source.splitlines():
            line = line.strip()
            if not line:
                if description:
                    break
                continue
            if line.startswith("#") and not title:
                title = line.lstrip("#").strip()
            elif not line.startswith("#") and not line.startswith("**Inputs"):
                description = f"{description} {line}".strip()
        return title, _first_sentence(description)
    return "", ""


def _first_sentence(text: str, limit: int = 200) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    match = re.search(r"(?<=[.!?؟])\s", text)
    if match:
        text = text[: match.start()]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def write_index(target: Path, runs: Iterable[NotebookRun], summary: RunSummary) -> Path:
    """index.html: one link per report with its description and run time, the corpus and its counts."""
    import jinja2
    import nbformat

    entries = []
    for run in runs:
        nb = nbformat.read(run.executed, as_version=4)
        title, description = _first_markdown(nb)
        entries.append({"href": f"html/{run.name}.html", "name": run.name, "title": title or run.name,
                        "description": description, "seconds": f"{run.seconds:.1f}"})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    page = env.get_template("index.html.j2").render(
        entries=entries, summary=summary, counts=_counts_line(summary),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        css=(TEMPLATES / "rtl.css").read_text(encoding="utf-8"),
    )
    from kzlib.io import write_text

    return write_text(target, page)


# --- helpers ---------------------------------------------------------------------------------

def _replaceable(out: Path) -> bool:
    """Only an empty folder or one we wrote (marker file) may be replaced: never wipe unrelated files."""
    return out.is_dir() and ((out / MARKER).is_file() or not any(out.iterdir()))


def _swap_in(build: Path, out: Path) -> None:
    """Replace `out` by `build`: two renames, so `out` is only ever missing for an instant."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        old.rmdir()
        out.rename(old)
    try:
        build.rename(out)
    except OSError:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _counts_line(summary: RunSummary) -> str:
    parts = []
    if summary.articles is not None:
        parts.append(f"{summary.articles} articles loaded, {summary.skipped} skipped")
    if summary.claims is not None:
        parts.append(f"{summary.claims} claims")
    return "; ".join(parts) or "counts unknown"


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _is_text(column) -> bool:
    from pandas.api.types import is_object_dtype, is_string_dtype

    return is_string_dtype(column) or is_object_dtype(column)
