"""The `kz` command line: extract, evaluate, report, models.

Each subcommand is a thin wrapper; the work lives in the module named in its help.
"""

from __future__ import annotations

import argparse
import sys


def _cmd_extract(args: argparse.Namespace) -> int:
    from kzlib.ledger import write_claims

    if args.dask and not args.out:
        print("kz extract: --dask writes Parquet partitions: give the output folder with --out", file=sys.stderr)
        return 2
    if not args.out:
        return write_claims(args.paths, fmt=args.format, out=sys.stdout)
    return _extract_to(args.paths, args.out, args.dask)


def _extract_to(paths: list[str], out: str, scheduler: str | None) -> int:
    """`kz extract ... --out`: a ledger file (write_ledger, streamed) or, with --dask, a folder of partitions."""
    from pathlib import Path

    from kzlib.corpus import CorpusError
    from kzlib.ledger import ledger_rows, missing_path

    missing = missing_path(paths)
    if missing is not None:
        print(f"kz extract: {missing}: no such file or folder", file=sys.stderr)
        return 2
    try:
        if scheduler:
            from kzlib.scale import extract_with_dask

            result = extract_with_dask(paths, out, scheduler=scheduler)
            print(f"kz extract: {result.out_dir}: {result.articles} articles, {result.claims} claims, "
                  f"{result.skipped} skipped ({result.files} files, {result.seconds:.1f} s)", file=sys.stderr)
            return 0
        from kzlib.ledger import write_ledger

        if Path(out).suffix not in (".parquet", ".csv"):
            print(f"kz extract: --out {out}: give a .parquet or .csv file (or a folder with --dask)", file=sys.stderr)
            return 2
        path = write_ledger(paths if len(paths) > 1 else paths[0], out)
    except (CorpusError, OSError) as exc:
        print(f"kz extract: {exc}", file=sys.stderr)
        return 2
    print(f"kz extract: {path}: {ledger_rows(path)} claims", file=sys.stderr)
    return 0


def _cmd_entities(args: argparse.Namespace) -> int:
    from kzlib.nlp.entities import entities_frame
    from kzlib.nlp.stanza_backend import ModelsMissingError, StanzaMissingError

    options = {"model_dir": args.stanza_dir} if args.backend == "stanza" else {}
    try:
        frame = entities_frame(args.path, backend=args.backend, **options)
    except (ModelsMissingError, StanzaMissingError) as exc:
        print(f"kz entities: {exc}", file=sys.stderr)
        return 2
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
        parameters=dict(p.split("=", 1) for p in args.param),
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
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kz", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="print one claim per line (kzlib.ledger)")
    p.add_argument("paths", nargs="+", help="a .txt file, a folder of .txt files, a corpus manifest (.csv) or a JSONL/CSV corpus")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="what is printed without --out")
    p.add_argument("--out", default=None, help="write the ledger to this .parquet / .csv file (streamed, atomic) "
                                               "instead of printing it; with --dask, an output folder")
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
    p.add_argument("--set", action="append", choices=["seeds", "dev"], default=None,
                   help="score only this gold set (repeatable; default: every set in data/annotations)")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("report", help="run the notebooks with papermill and export HTML (kzlib.report)")
    p.add_argument("--corpus", default="data/corpus.csv", help="manifest, folder of .txt, JSONL/CSV corpus or a Parquet ledger")
    p.add_argument("--out", default="reports", help="output folder (replaced only when the whole run succeeds)")
    p.add_argument("--timeout", type=int, default=900, help="per-cell execution timeout in seconds")
    p.add_argument("--only", nargs="*", default=None, help="notebook numbers or names to run (default: all)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="extra notebook parameter")
    p.add_argument("--jobs", type=_positive_int, default=None,
                   help="notebooks executed at once (default: one per available core)")
    p.set_defaults(func=_cmd_report)

    models = sub.add_parser("models", help="stanza model management (kzlib.nlp.stanza_backend)")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    p = models_sub.add_parser("download", help="download stanza's Arabic models (needs internet)")
    p.add_argument("--dir", default=None, help="model folder (default: $STANZA_RESOURCES_DIR or ~/stanza_resources)")
    p.set_defaults(func=_cmd_models_download)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
