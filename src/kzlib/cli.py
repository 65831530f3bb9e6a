"""The `kz` command line: extract, evaluate, report, models.

Each subcommand is a thin wrapper; the work lives in the module named in its help. One handler (main)
turns the failures a user can cause into one line on stderr and an exit code:

    0    done (skipped inputs, if any, are listed on stderr)
    1    nothing usable: no article could be loaded, or the output could not be written (disk full,
         no permission)
    2    bad input: a wrong option or argument, a path that does not exist, --out onto an input, a corpus
         that fails its checks (manifest checksum, duplicate id, a manifest path outside its folder)
    130  interrupted (Ctrl-C or SIGTERM); temporary files are removed on the way out

A reader that stops early (`kz extract ... | head`) ends the run quietly with 0.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys


class UsageError(Exception):
    """A wrong option or argument (exit code 2)."""


class OutputError(Exception):
    """The output cannot be written (exit code 1)."""


BATCH_GC_THRESHOLD = 50_000     # allocations between two young collections during a batch (Python: 700)


def prepare_batch() -> None:
    """Before a batch extraction in this process: load the lexicons, `gc.freeze()` what is alive, and let the
    cyclic collector run less often.

    The lexicons live until the process ends; left to the collector, every full collection walks them again
    while an article's thousands of short-lived tuples trigger collections (about 10% of the extraction time
    on the synthetic corpus, measured). Frozen, they are never scanned. An article's objects are freed by
    reference counting (it makes no cycles: tests/test_doc.py), so a young collection every 700 allocations
    finds nothing to free; every BATCH_GC_THRESHOLD it still collects any cycle, at ~2.4% less CPU in the
    extraction loop (benchmarks' loop, alternate chunks of 250 articles, 10,000 articles). The command
    decides this for its own process: the library (kzlib.claims) never touches the collector."""
    from kzlib.claims import extract_text

    extract_text("قتل 5 أشخاص، بحسب وزارة الصحة.")   # a sentence that loads every lexicon
    gc.freeze()
    gc.set_threshold(BATCH_GC_THRESHOLD, *gc.get_threshold()[1:])


def _cmd_extract(args: argparse.Namespace) -> int:
    from kzlib.ledger import write_claims

    if args.dask and not args.out:
        raise UsageError("--dask writes Parquet partitions: give the output folder with --out")
    if not args.dask:
        prepare_batch()
    if not args.out:
        return write_claims(args.paths, fmt=args.format, out=sys.stdout, recursive=args.recursive)
    return _extract_to(args.paths, args.out, args.dask, args.recursive)


def _extract_to(paths: list[str], out: str, scheduler: str | None, recursive: bool) -> int:
    """`kz extract ... --out`: a ledger file (write_ledger, streamed) or, with --dask, a folder of partitions."""
    from pathlib import Path

    from kzlib.ledger import NothingLoaded, Tally, ledger_rows, missing_path, out_conflict, run_summary

    missing = missing_path(paths)
    if missing is not None:
        raise UsageError(f"{missing}: no such file or folder")
    conflict = out_conflict(paths, out)
    if conflict:
        raise UsageError(conflict)
    if scheduler:
        from kzlib.scale import extract_with_dask

        result = extract_with_dask(paths, out, scheduler=scheduler, recursive=recursive)
        print(f"kz extract: {result.out_dir}: {result.articles} articles loaded, {result.skipped} skipped, "
              f"{result.claims} claims ({result.files} files, {result.seconds:.1f} s)", file=sys.stderr)
        return 0 if result.articles else 1
    from kzlib.ledger import report_skip, write_ledger
    from kzlib.text_tables import TextTablesWriter, text_tables_dir

    if Path(out).suffix not in (".parquet", ".csv"):
        raise UsageError(f"--out {out}: give a .parquet or .csv file (or a folder with --dask)")
    tables_dir = text_tables_dir(out)
    conflict = out_conflict(paths, tables_dir)
    if conflict:
        raise UsageError(conflict)
    with TextTablesWriter(tables_dir) as tables:
        def skipped(skip) -> None:
            tables.skip(skip)
            report_skip(skip)

        tally = Tally(skipped)
        try:
            path = write_ledger(paths, out, recursive=recursive, tally=tally, each_article=tables.add)
        except NothingLoaded:
            print(f"kz extract: {run_summary(paths, tally, recursive)}", file=sys.stderr)
            print(f"kz extract: nothing usable: no article could be loaded; {out} not written", file=sys.stderr)
            return 1
        tables.finish(path, paths)
    print(f"kz extract: {run_summary(paths, tally, recursive)}", file=sys.stderr)
    print(f"kz extract: {path}: {ledger_rows(path)} claims; the notebooks' text tables in {tables_dir}/",
          file=sys.stderr)
    return 0


def _cmd_entities(args: argparse.Namespace) -> int:
    from kzlib.nlp.entities import entities_frame
    from kzlib.nlp.stanza_backend import ModelsMissingError, StanzaMissingError

    options = {"model_dir": args.stanza_dir} if args.backend == "stanza" else {}
    try:
        frame = entities_frame(args.path, backend=args.backend, **options)
    except (ModelsMissingError, StanzaMissingError) as exc:
        raise UsageError(str(exc)) from None
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        frame.to_json(sys.stdout, orient="records", lines=True, force_ascii=False)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from kzlib.evaluate import main as evaluate_main

    return evaluate_main(gold_dir=args.gold, corpus=args.corpus, show_misses=args.misses, sets=args.set)


def _cmd_report(args: argparse.Namespace) -> int:
    from kzlib.report import build_report

    return build_report(
        corpus=args.corpus,
        out=args.out,
        timeout=args.timeout,
        only=args.only,
        parameters=dict(args.param),
        jobs=args.jobs,
    )


def _cmd_models_download(args: argparse.Namespace) -> int:
    from kzlib.nlp.stanza_backend import ModelsMissingError, StanzaMissingError, download_models

    try:
        folder = download_models(args.dir)
    except (ModelsMissingError, StanzaMissingError) as exc:
        print(f"kz models download: {exc}", file=sys.stderr)
        return 2
    print(f"stanza Arabic models in {folder}")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _name_value(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: give NAME=VALUE (for example ledger=data/processed/claims.parquet)")
    return name.strip(), value


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (the usage is one `--help` away) and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kz", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("extract", help="print one claim per line (kzlib.ledger)")
    p.add_argument("paths", nargs="+", help="a .txt file, a folder of .txt files, a corpus manifest (.csv) or a JSONL/CSV corpus")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="what is printed without --out")
    p.add_argument("--out", default=None, help="write the ledger to this .parquet / .csv file (streamed, atomic) "
                                               "instead of printing it; with --dask, an output folder")
    p.add_argument("--recursive", action="store_true",
                   help="read the subfolders of a folder too (without it each subfolder is listed as skipped)")
    p.add_argument("--dask", default=None, metavar="SCHEDULER",
                   help="extract with Dask (kzlib.scale): local (one worker per core), processes, threads, "
                        "or a cluster's host:port; one input file = one task")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("entities", help="named entities per article: gazetteer (rules) or stanza (kzlib.nlp)")
    p.add_argument("path", help="anything `kz extract` reads")
    p.add_argument("--backend", choices=["rules", "stanza"], default="rules", help="NLP backend (default: rules)")
    p.add_argument("--stanza-dir", default=None, help="stanza model folder (default: $STANZA_RESOURCES_DIR or ~/stanza_resources)")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.set_defaults(func=_cmd_entities)

    p = sub.add_parser("evaluate", help="precision/recall/F1 against the gold set (kzlib.evaluate)")
    p.add_argument("--gold", default=None, help="folder of gold annotations (default: data/annotations)")
    p.add_argument("--corpus", default=None, help="corpus the gold set annotates (default: data/corpus.csv)")
    p.add_argument("--misses", action="store_true", help="list every missed and spurious claim")
    p.add_argument("--set", action="append", choices=["seeds", "dev", "test"], default=None,
                   help="score only this gold set (repeatable; default: every set in data/annotations)")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("report", help="run the notebooks with papermill and export HTML (kzlib.report)")
    p.add_argument("--corpus", default="data/corpus.csv", help="manifest, folder of .txt, JSONL/CSV corpus or a Parquet ledger")
    p.add_argument("--out", default="reports", help="output folder (replaced only when the whole run succeeds)")
    p.add_argument("--timeout", type=int, default=900, help="per-cell execution timeout in seconds")
    p.add_argument("--only", nargs="*", default=None, help="notebook numbers or names to run (default: all)")
    p.add_argument("--param", action="append", default=[], type=_name_value, metavar="NAME=VALUE",
                   help="extra notebook parameter")
    p.add_argument("--jobs", type=_positive_int, default=None,
                   help="notebooks executed at once (default: one per available core)")
    p.set_defaults(func=_cmd_report)

    models = sub.add_parser("models", help="stanza model management (kzlib.nlp.stanza_backend)")
    models_sub = models.add_subparsers(dest="models_command", required=True, parser_class=_Parser)
    p = models_sub.add_parser("download", help="download stanza's Arabic models (needs internet)")
    p.add_argument("--dir", default=None, help="model folder (default: $STANZA_RESOURCES_DIR or ~/stanza_resources)")
    p.set_defaults(func=_cmd_models_download)
    return parser


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so that `finally` blocks remove temporary files."""


def _on_sigterm(signum, frame):
    raise _Terminated()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    name = "kz " + args.command + (f" {args.models_command}" if args.command == "models" else "")
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:          # not the main thread (an embedding program): leave SIGTERM alone
        previous = None
    try:
        return _run(args, name)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(args, name: str) -> int:
    """Run the command; an error that describes bad input becomes a message and an exit code."""
    try:
        return int(args.func(args) or 0)
    except (KeyboardInterrupt, _Terminated):
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader stopped reading (`| head`): not an error; stdout is pointed at /dev/null so that the
        # interpreter's final flush does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UsageError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{name}: {_os_message(exc)}", file=sys.stderr)
        return 2 if isinstance(exc, (FileNotFoundError, NotADirectoryError, IsADirectoryError)) else 1
    except Exception as exc:
        if not isinstance(exc, _expected_errors()):
            raise           # a bug: the traceback is what a maintainer needs
        print(f"{name}: {exc}", file=sys.stderr)
        return 2


def _expected_errors() -> tuple[type, ...]:
    """Errors that describe bad input and name the file and place: CorpusError, GoldError (ValueErrors),
    the report's ReportError, the stanza backend's missing-model errors."""
    found: list[type] = [ValueError]
    for module, names in (("kzlib.report", ("ReportError",)),
                          ("kzlib.nlp.stanza_backend", ("ModelsMissingError", "StanzaMissingError"))):
        loaded = sys.modules.get(module)     # only a module the command imported can have raised its error
        found.extend(getattr(loaded, n) for n in names if loaded is not None and isinstance(getattr(loaded, n, None), type))
    return tuple(found)


_WRITE_ERRNOS = {28: "cannot write", 30: "cannot write", 122: "cannot write", 27: "cannot write"}   # ENOSPC EROFS EDQUOT EFBIG


def _os_message(exc: OSError) -> str:
    """"cannot write FILE: No space left on device" rather than "[Errno 28] ..."."""
    if exc.strerror is None:
        return str(exc)
    where = exc.filename if exc.filename is not None else "the output"
    verb = _WRITE_ERRNOS.get(exc.errno)
    return f"{verb} {where}: {exc.strerror}" if verb else f"{where}: {exc.strerror}"


if __name__ == "__main__":
    sys.exit(main())
