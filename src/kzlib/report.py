"""The report run: extract the claims ledger once, execute notebooks/NN_*.ipynb with papermill, export
HTML (code hidden, Arabic right-to-left, interactive tables) and write the briefing (index.html) and one
evidence page per article (articles/<id>.html).

papermill runs its own engine on standard Jupyter kernels, `jobs` notebooks at a time (threads of this
process, each driving its own kernel); each notebook's HTML is exported as soon as it has run. The article
pages are written while the notebooks execute.

Everything is built in a temporary sibling of `out` and swapped in only when every notebook succeeded,
so a failing run leaves the previous complete report in place. `only` reruns some notebooks and keeps the
other notebooks' pages, tables and figures of the previous report. Temporary folders left by killed
earlier runs (`.OUT.building-*`, `.OUT.old-*`) are removed at the start, with a message.

Layout of `out`: index.html (briefing), html/NN_name.html, articles/<id>.html, notebooks/NN_name.ipynb
(executed), figures/, tables/ (tables/claims.parquet is the ledger every notebook reads), findings/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from kzlib.charts import arabic_share
from kzlib.io import default_mode, process_alive
from kzlib.notebook import CACHE
from kzlib.paths import NOTEBOOKS, ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates"
NOTEBOOK_NAME = re.compile(r"^(\d\d)_[\w-]+\.ipynb$")
#: A block of text is shown right-to-left when at least this share of its letters is Arabic.
RTL_THRESHOLD = 0.5
#: Cells papermill adds to executed notebooks (not counted when naming the failing cell).
PAPERMILL_TAGS = {"injected-parameters", "papermill-error-cell-tag"}
#: Marks a folder as a report this module wrote, so a later run may replace it whole.
MARKER = ".kzlib-report"
#: Inside a build folder: the id of the process building it (a stale build is one whose process is gone).
BUILDER = ".kzlib-building-pid"
#: The kernels stay quiet: ipykernel >= 7 warns on every start that local TCP is unencrypted and logs an
#: error when papermill interrupts it on shutdown; a failing cell is reported from its output instead.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Per-notebook outputs, found by the notebook's number prefix ("03_…").
PER_NOTEBOOK = ("figures", "tables", "findings")


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
    html: Path | None = None
    export_error: BaseException | None = None
    kept: bool = False               # not run: kept from the previous report (--only)

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
    article_pages: int = 0
    seconds: float = 0.0


# --- public API ------------------------------------------------------------------------------

def build_report(corpus, out, timeout: int = 900, only: Sequence[str] | None = None,
                 parameters: dict | None = None, *, notebooks_dir=None, jobs: int | None = None) -> int:
    """Run the notebooks on `corpus` and publish HTML reports into `out`; return an exit code (0 = ok).

    `parameters` are extra notebook parameters (a `ledger` given there is used instead of extracting
    one). `only` (numbers or names) runs those notebooks and keeps the others' pages from the previous
    report in `out`. `notebooks_dir` (default: notebooks/) is for tests; `jobs` is how many notebooks
    execute at once (default: one per available core, at most one per notebook).
    """
    started = time.perf_counter()
    out = Path(out).expanduser().resolve()
    folder = Path(notebooks_dir) if notebooks_dir else NOTEBOOKS
    notebooks, refusal = _notebooks_or_refusal(out, folder, only)
    if refusal:
        print(f"report: {refusal}", file=sys.stderr)
        return 2
    kept = _clear_for_build(out, folder, notebooks, only)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    os.chmod(build, default_mode(directory=True))   # mkdtemp is owner-only; the published folder is not
    try:
        _lay_out_build(build)
        runs = [NotebookRun(path, i) for i, path in enumerate(notebooks, 1)]
        try:
            summary, params, articles = _prepare_inputs(corpus, build, parameters or {})
        except ReportError as exc:
            print(f"report: {exc}", file=sys.stderr)
            return 2
        failed = _run_notebooks_into(build, out, runs, params, timeout, _chosen_jobs(jobs, len(runs), summary),
                                     while_running=lambda: _write_article_pages(build, articles, summary))
        if failed:
            _print_failures(failed, out)
            return 1
        try:
            _publish(build, out, runs, kept, summary, started)
        except Exception as exc:  # export, briefing or swap failed: say so, keep the previous report
            print(f"report: writing the pages failed ({type(exc).__name__}: {exc}); {out} left unchanged", file=sys.stderr)
            return 1
    finally:
        if build.exists():
            _remove_tree(build)
    _print_done(out, runs, kept, only, summary, started)
    return 0


def _clear_for_build(out: Path, folder: Path, notebooks: list[Path], only) -> list[Path]:
    """Make `out`'s parent and remove the builds a crashed run left there; the previous report's notebooks
    kept when `only` reruns some (none otherwise)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(out)
    return _kept_from_previous(out, folder, notebooks) if only else []


def _chosen_jobs(jobs: int | None, notebooks: int, summary: RunSummary) -> int:
    """`jobs` when given, else default_jobs (saying so when a large ledger makes it one)."""
    if jobs is not None:
        return jobs
    if summary.claims and summary.claims > LARGE_LEDGER_CLAIMS:
        print(f"[jobs] one notebook at a time: the ledger holds {summary.claims:,} claims (more than "
              f"{LARGE_LEDGER_CLAIMS:,}: each kernel holds it and its text tables); --jobs N to change", flush=True)
    return default_jobs(notebooks, summary.claims)


def _run_notebooks_into(build: Path, out: Path, runs: list, params: dict, timeout: int, jobs: int,
                        while_running) -> list:
    """Execute the notebooks in the build folder (paths of the build shown as `out`); the failed runs."""
    return run_notebooks(runs, params, build, timeout, jobs, {str(build): str(out)},
                         while_running=while_running, previous=out / "notebooks")


def _notebooks_or_refusal(out: Path, folder: Path, only) -> tuple[list[Path], str | None]:
    """The notebooks to run, or why the report cannot be built: `out` is not a folder this command wrote,
    or there is no notebook to run."""
    if out.exists() and not _replaceable(out):
        return [], (f"refusing to replace {out}: it is not empty and holds no {MARKER} "
                    f"(not a folder this command wrote); choose another --out")
    notebooks = select_notebooks(folder, only)
    if not notebooks:
        return [], f"no notebooks to run (folder {folder}, only={only})"
    return notebooks, None


def _lay_out_build(build: Path) -> None:
    """The build folder's sub-folders, the builder's process id and the marker that lets a later run replace
    the published folder."""
    (build / BUILDER).write_text(str(os.getpid()), encoding="utf-8")
    for sub in ("html", "notebooks", "figures", "tables", "findings", "articles"):
        (build / sub).mkdir()
    (build / MARKER).write_text("written by kzlib.report.build_report; replaced on every run\n", encoding="utf-8")


def _print_failures(failed: list, out: Path) -> None:
    for run in failed:
        print(f"\nreport: notebook {run.path.name} failed\n{run.error}", file=sys.stderr)
    print(f"report: {out} left unchanged", file=sys.stderr)


def _publish(build: Path, out: Path, runs: list, kept: list[Path], summary: RunSummary, started: float) -> None:
    """Raise the first export error; copy the kept pages, write the briefing, drop the shared cache and swap
    the build folder in for `out`."""
    broken = next((run for run in runs if run.export_error is not None), None)
    if broken is not None:
        raise broken.export_error
    kept_runs = _copy_kept(out, build, kept, start=len(runs) + 1)
    summary.seconds = time.perf_counter() - started
    from kzlib.briefing import write_briefing

    every_run = sorted(runs + kept_runs, key=lambda run: run.name)
    write_briefing(build / "index.html", every_run, summary, build)
    if (build / CACHE).exists():   # results the notebooks shared while running (notebook.computed_once)
        _remove_tree(build / CACHE)
    (build / BUILDER).unlink()
    _swap_in(build, out)


def _print_done(out: Path, runs: list, kept: list[Path], only, summary: RunSummary, started: float) -> None:
    if kept:
        print(f"report: reran {', '.join(r.name for r in runs)}; kept {', '.join(p.stem for p in kept)} "
              f"from the previous report")
    elif only:
        print(f"report: reran {', '.join(r.name for r in runs)}; no other notebook's pages to keep")
    print(f"report: {out / 'index.html'} ({len(runs) + len(kept)} notebooks, {summary.article_pages} article pages; "
          f"{_counts_line(summary)}; {time.perf_counter() - started:.1f} s)")


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


# --- steps -----------------------------------------------------------------------------------

def _resolve_input(path) -> Path:
    """A path as given relative to the working directory, else relative to the project root."""
    path = Path(path).expanduser()
    if path.is_absolute() or path.exists():
        return path.resolve()
    return (ROOT / path).resolve()


def _prepare_inputs(corpus, build: Path, extra: dict) -> tuple[RunSummary, dict, list | None]:
    """Load the corpus once and write the ledger once; return the summary, the notebook parameters and the
    articles (None when the corpus is a ledger without texts)."""
    from kzlib.notebook import is_ledger

    corpus_path = _resolve_input(corpus)
    extra = dict(extra)
    given_ledger = extra.pop("ledger", "") or (str(corpus_path) if is_ledger(corpus_path) else "")
    summary = RunSummary(corpus=str(corpus))
    if given_ledger:
        ledger_path = _given_ledger(given_ledger, summary)
        # texts for the evidence pages, read one at a time while they are written (100,000 texts held at
        # once took more memory than a notebook kernel)
        articles = ArticleStream(corpus_path, summary) \
            if not is_ledger(corpus_path) and corpus_path.exists() else None
    else:
        ledger_path, articles = _extract_ledger(corpus, corpus_path, build, summary)
    summary.ledger = str(ledger_path) if given_ledger else "tables/claims.parquet"
    params = {"corpus": str(corpus_path), "output_dir": str(build), "ledger": str(ledger_path), **extra}
    return summary, params, articles


def _given_ledger(given_ledger: str, summary: RunSummary) -> Path:
    """The path of a ledger given to the report, its rows counted in `summary` (a ReportError when it is
    missing or not a ledger, before any notebook runs)."""
    ledger_path = _resolve_input(given_ledger)
    if not ledger_path.exists():
        raise ReportError(f"ledger {given_ledger}: no such file or folder")
    try:
        from kzlib.ledger import ledger_rows

        summary.claims = ledger_rows(ledger_path)
    except (ValueError, OSError) as exc:   # not a ledger: say so before any notebook runs
        raise ReportError(f"ledger {given_ledger}: {exc}") from exc
    return ledger_path


def _extract_ledger(corpus, corpus_path: Path, build: Path, summary: RunSummary) -> tuple[Path, list]:
    """Load the corpus and write its claims ledger into the build's tables/; (ledger path, articles)."""
    try:
        from kzlib.corpus import load_corpus  # noqa: F401
        from kzlib.ledger import ledger_rows, write_ledger
    except ImportError as exc:
        raise ReportError(f"cannot build the claims ledger: kzlib.corpus.load_corpus / "
                          f"kzlib.ledger.write_ledger not available ({exc})") from exc
    from kzlib.corpus import Skip
    from kzlib.text_tables import TextTablesWriter, text_tables_dir

    started = time.perf_counter()
    articles = _load_articles(corpus, corpus_path, summary)
    target = build / "tables" / "claims.parquet"
    try:
        # the notebooks' text tables in the same pass: each notebook then reads them, not the texts
        with TextTablesWriter(text_tables_dir(target)) as text_tables:
            for source, reason in summary.skipped_reasons:
                text_tables.skip(Skip(source, reason))
            ledger_path = Path(write_ledger(articles, target, skipped=None, each_article=text_tables.add))
            text_tables.finish(ledger_path, [str(corpus_path)])
    except (ValueError, OSError) as exc:
        raise ReportError(f"corpus {corpus}: {exc}") from exc
    summary.claims = ledger_rows(ledger_path)
    print(f"[ledger] {corpus}: {_counts_line(summary)} ({time.perf_counter() - started:.1f} s)", flush=True)
    return ledger_path, articles


class ArticleStream:
    """The articles of a corpus, read again at each iteration; the articles and skips read are counted into
    `summary` (and each skip printed) as they come."""

    def __init__(self, corpus_path: Path, summary: RunSummary):
        self.corpus_path, self.summary = corpus_path, summary

    def __iter__(self):
        from kzlib.corpus import Skip, iter_articles

        summary = self.summary
        summary.articles, summary.skipped, summary.skipped_reasons = 0, 0, []
        for item in iter_articles(self.corpus_path):
            if isinstance(item, Skip):
                summary.skipped += 1
                summary.skipped_reasons.append((item.source, item.reason))
                print(f"skipped {item.source}: {item.reason}", file=sys.stderr)
            else:
                summary.articles += 1
                yield item


def _load_articles(corpus, corpus_path: Path, summary: RunSummary) -> list:
    """Every article of the corpus at once (counted into `summary`, each skip printed, as ArticleStream)."""
    try:
        return list(ArticleStream(corpus_path, summary))
    except (ValueError, OSError) as exc:  # CorpusError is a ValueError naming file and place
        raise ReportError(f"corpus {corpus}: {exc}") from exc


def _write_article_pages(build: Path, articles: list | None, summary: RunSummary) -> None:
    """One evidence page per article (kzlib.evidence), from the texts when there are any, else from the
    sentences the ledger holds."""
    from kzlib.evidence import PAGE_LEDGER_COLUMNS, write_article_pages
    from kzlib.io import release_memory
    from kzlib.ledger import read_ledger

    path = build / "tables" / "claims.parquet"
    claims = read_ledger(path if path.exists() else _resolve_input(summary.ledger), columns=list(PAGE_LEDGER_COLUMNS))
    summary.article_pages = len(write_article_pages(build / "articles", claims, articles))
    del claims
    release_memory()     # the notebooks still running need it more than this process


#: Above this many claims the notebooks run one at a time by default: memory, not cores, is then the limit
#: (100,000 synthetic articles, 441,672 claims, 2 cores: two at a time 172 s and 5.6 GiB in all, one at a
#: time 205 s and 3.65 GiB).
LARGE_LEDGER_CLAIMS = 100_000


def default_jobs(notebooks: int, claims: int | None = None) -> int:
    """Notebooks executing at once: one per core this process may use, at most one per notebook; one when
    the ledger holds more than LARGE_LEDGER_CLAIMS claims."""
    if claims is not None and claims > LARGE_LEDGER_CLAIMS:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, notebooks))


def longest_first(runs: list[NotebookRun], previous: Path) -> list[int]:
    """Positions of `runs`, longest first by the duration papermill recorded in the previous report's
    executed notebooks (`previous`/NN_name.ipynb); notebooks without one first, in number order (so a
    first run goes in number order). Longest first keeps the cores busy to the end."""
    durations = {}
    for position, run in enumerate(runs):
        duration = _recorded_duration(previous / run.path.name)
        if duration is not None:
            durations[position] = duration
    return sorted(range(len(runs)), key=lambda p: (p in durations, -durations.get(p, 0.0), p))


def _recorded_duration(executed: Path) -> float | None:
    try:
        with open(executed, encoding="utf-8") as handle:
            return float(json.load(handle)["metadata"]["papermill"]["duration"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def run_notebooks(runs: list[NotebookRun], params: dict, build: Path, timeout: int, jobs: int,
                  replace_paths: dict[str, str], while_running=None, previous: Path | None = None) -> list[NotebookRun]:
    """Execute `runs` with papermill, `jobs` at a time (longest first by the `previous` report's
    durations; one at a time in their own order, the heaviest then not running while the evidence pages are
    written), exporting each one's HTML as soon as it ran; call `while_running()` in this thread
    meanwhile. After a failure no further notebook starts. Returns the failed runs in notebook order."""
    order = _run_order(runs, jobs, previous or build / "notebooks")
    total = len(runs)
    stop = threading.Event()

    def execute(run: NotebookRun) -> NotebookRun:
        if stop.is_set():
            run.error = "not run: an earlier notebook failed"
            return run
        _execute_notebook(run, params, build, timeout)
        if run.ok:
            try:
                run.html = export_html(run.executed, build / "html" / f"{run.name}.html", replace_paths=replace_paths)
            except Exception as exc:  # reported after the run, with the previous report kept
                run.export_error = exc
        else:
            stop.set()
        status = "ok" if run.ok else "FAILED"
        print(f"[{run.index}/{total}] {run.name} ... {status} ({run.seconds:.1f} s)", flush=True)
        return run

    import papermill  # noqa: F401  # once, here: not in the first threads at once

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="kz-notebook") as pool:
        futures = [pool.submit(execute, run) for run in order]
        side_error = None
        try:
            if while_running is not None:
                while_running()
            with _EXPORT_LOCK:
                _html_exporter()   # made while the first kernels start, not when the first notebook ends
        except Exception as exc:  # e.g. an unreadable article: fail the run after the notebooks stop
            side_error = exc
            stop.set()
        wait(futures)
    failed = [run for run in runs if not run.ok and run.error != "not run: an earlier notebook failed"]
    if side_error is not None:
        side = NotebookRun(Path("(evidence pages)"), 0, error=f"{type(side_error).__name__}: {side_error}")
        failed.append(side)
    return failed


def _run_order(runs: list[NotebookRun], jobs: int, previous: Path) -> list[NotebookRun]:
    """Several at a time: longest first (by the previous report); one at a time: in notebook order."""
    return [runs[i] for i in longest_first(runs, previous)] if jobs > 1 else list(runs)


def _execute_notebook(run: NotebookRun, params: dict, build: Path, timeout: int) -> None:
    """papermill's own engine on the notebook's standard kernel, started in the project root."""
    import papermill

    run.executed = build / "notebooks" / run.path.name
    started = time.perf_counter()
    try:
        # resources' path is the kernel's working directory (nbclient); papermill's `cwd=` would chdir the
        # whole process, which threads must not do
        papermill.execute_notebook(str(run.path), str(run.executed), parameters=params, progress_bar=False,
                                   log_output=False, request_save_on_cell_execute=False,
                                   execution_timeout=timeout, resources={"metadata": {"path": str(ROOT)}},
                                   extra_arguments=KERNEL_ARGUMENTS)
        run.ok = True
    except papermill.PapermillExecutionError as exc:
        run.error = failure_details(run.executed) or f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, timeout, unreadable notebook: name it, never a bare traceback
        run.error = failure_details(run.executed) or f"{type(exc).__name__}: {exc}"
    finally:
        run.seconds = time.perf_counter() - started
        _close_thread_event_loop()


def _close_thread_event_loop() -> None:
    """nbclient leaves an event loop on the worker thread; close it now rather than leave its descriptors to
    the garbage collector (a thread pool reuses its threads, a new loop is made on the next run)."""
    import asyncio

    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return
    if not loop.is_running() and not loop.is_closed():
        loop.close()
    asyncio.set_event_loop(None)


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
    with _EXPORT_LOCK:   # one exporter for every thread: export takes a fraction of a second, making one ~2 s
        body, _ = _html_exporter().from_notebook_node(nb, resources={"metadata": {"name": notebook_title(nb) or executed.stem}})
    for old, new in (replace_paths or {}).items():
        body = body.replace(old, new)  # outputs name the build folder; point them at the final one
    from kzlib.io import write_text

    return write_text(target, mark_rtl(body))


_EXPORTER: list = []
_EXPORT_LOCK = threading.Lock()


def _html_exporter():
    """The nbconvert HTMLExporter (templates/kz_notebook: lab, offline; code and prompts hidden), made once
    (~2 s: nbconvert, its templates) and shared; callers hold _EXPORT_LOCK while using it."""
    if not _EXPORTER:
        from nbconvert import HTMLExporter

        _EXPORTER.append(HTMLExporter(
            template_name="kz_notebook", extra_template_basedirs=[str(TEMPLATES)], exclude_input=True,
            exclude_input_prompt=True, exclude_output_prompt=True))
    return _EXPORTER[0]


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
    """Title from the first markdown cell."""
    from kzlib.briefing import first_markdown

    return first_markdown(nb)[0]


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
        _remove_tree(old)


def remove_stale_builds(out: Path) -> list[Path]:
    """Remove `.OUT.building-*` folders whose builder process is gone and every `.OUT.old-*` folder (left by
    runs that were killed, or by a previous report that could not be deleted); say so for each."""
    removed = []
    for path in sorted(out.parent.glob(f".{out.name}.building-*")) + sorted(out.parent.glob(f".{out.name}.old-*")):
        if not path.is_dir() or path.is_symlink():
            continue
        if path.name.startswith(f".{out.name}.building-") and _builder_alive(path):
            continue   # another `kz report` is writing it right now
        _remove_tree(path)
        state = "could not be removed" if path.exists() else "removed"
        print(f"report: {path.name}: temporary folder of an earlier run that did not finish, {state}",
              file=sys.stderr)
        removed.append(path)
    return removed


def _builder_alive(build: Path) -> bool:
    try:
        pid = int((build / BUILDER).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return False   # no pid file: killed before it was written, or written by an older kzlib
    return pid != os.getpid() and process_alive(pid)   # this process's own pid: a build it left (a retry)


def _remove_tree(path: Path) -> None:
    """rmtree that also removes read-only folders (their entries need write permission on the folder)."""
    def make_writable(function, name, _exc):
        parent = os.path.dirname(name)
        try:
            os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, os.stat(name).st_mode | stat.S_IWUSR | stat.S_IXUSR | stat.S_IRUSR)
            function(name)
        except OSError:
            pass

    shutil.rmtree(path, onerror=make_writable)


def _kept_from_previous(out: Path, folder: Path, chosen: list[Path]) -> list[Path]:
    """The notebooks not chosen by `only` whose pages the previous report in `out` holds (kept as they are)."""
    if not (out / MARKER).is_file():
        return []
    chosen_names = {path.name for path in chosen}
    return [path for path in select_notebooks(folder) if path.name not in chosen_names
            and (out / "html" / f"{path.stem}.html").is_file() and (out / "notebooks" / path.name).is_file()]


def _copy_kept(out: Path, build: Path, kept: list[Path], start: int) -> list[NotebookRun]:
    """Copy the kept notebooks' pages, executed notebooks, figures, tables and findings from the previous
    report into `build`; return them as runs (their durations as papermill recorded them)."""
    runs = []
    for number, path in enumerate(kept, start):
        prefix = path.stem[:3]   # "03_"
        for name in (f"html/{path.stem}.html", f"notebooks/{path.name}"):
            shutil.copy2(out / name, build / name)
        for sub in PER_NOTEBOOK:
            for item in (out / sub).glob(f"{prefix}*") if (out / sub).is_dir() else ():
                if item.is_file():
                    shutil.copy2(item, build / sub / item.name)
        executed = build / "notebooks" / path.name
        runs.append(NotebookRun(path, number, executed=executed, seconds=_recorded_duration(executed) or 0.0,
                                ok=True, html=build / "html" / f"{path.stem}.html", kept=True))
    return runs


def _counts_line(summary: RunSummary) -> str:
    from kzlib.briefing import counts_line     # the briefing page shows the same line

    return counts_line(summary)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())

