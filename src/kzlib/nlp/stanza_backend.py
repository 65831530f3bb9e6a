"""Stanza Arabic backend: tokens, multi-word tokens (clitics), lemmas, POS and named entities.

Models are loaded offline only: `stanza.Pipeline('ar', dir=..., download_method=None)`. The folder is
the `model_dir` argument, else $STANZA_RESOURCES_DIR, else ~/stanza_resources; it must hold stanza's
resources.json and an `ar/` folder. Without them a ModelsMissingError says which folder was searched
and which command downloads the models (`kz models download --dir DIR`, needs internet once).

Sentences are split by kzlib.segment before stanza sees the text (stanza's Arabic sentence splitter
is weak on news, stanza issue #1393), and every stanza token is aligned back to the original text,
tolerating diacritics and tatweel that stanza may drop.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from pathlib import Path

from kzlib.nlp.base import Analysis, Mention, Token, Word

PROCESSORS = "tokenize,mwt,pos,lemma,ner"
LANG = "ar"
_ALIGN_WINDOW = 200  # how far past the previous token a token may start (punctuation, spaces, quotes)


class ModelsMissingError(RuntimeError):
    """Stanza's Arabic models are not where kzlib looked."""


class StanzaMissingError(ImportError):
    """The stanza package is not installed."""


def resolve_model_dir(model_dir: str | os.PathLike | None = None) -> Path:
    if model_dir:
        return Path(model_dir).expanduser()
    env = os.environ.get("STANZA_RESOURCES_DIR")
    return Path(env).expanduser() if env else Path.home() / "stanza_resources"


def check_models(model_dir: str | os.PathLike | None = None) -> Path:
    """The model folder, or ModelsMissingError naming the folder, what is missing and the command to run."""
    folder = resolve_model_dir(model_dir)
    missing = []
    if not folder.is_dir():
        missing.append("the folder does not exist")
    else:
        if not (folder / "resources.json").is_file():
            missing.append("resources.json")
        if not (folder / LANG).is_dir():
            missing.append(f"the '{LANG}/' model folder")
    if missing:
        raise ModelsMissingError(
            f"Stanza Arabic models not found in {folder} (missing: {', '.join(missing)}). "
            f"Download them once, with internet: kz models download --dir {folder} "
            f"(or set STANZA_RESOURCES_DIR to a folder that has them)."
        )
    return folder


def _import_stanza():
    try:
        import stanza
    except ImportError as exc:
        raise StanzaMissingError(
            'the stanza backend needs the stanza package: pip install "kzlib[stanza]" (the rule backend needs nothing)'
        ) from exc
    return stanza


def download_models(model_dir: str | os.PathLike | None = None, processors: str = PROCESSORS) -> Path:
    """`kz models download`: fetch stanza's Arabic models into the folder (needs internet)."""
    stanza = _import_stanza()
    folder = resolve_model_dir(model_dir)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        stanza.download(LANG, model_dir=str(folder), processors=processors)
    except Exception as exc:  # network errors come in many types (requests, urllib3, OSError)
        raise ModelsMissingError(
            f"could not download stanza's Arabic models into {folder}: {exc}. "
            "This needs internet access to stanza's model hub; copy a downloaded folder here otherwise."
        ) from exc
    return folder


class StanzaBackend:
    name = "stanza"

    def __init__(self, model_dir: str | os.PathLike | None = None, processors: str = PROCESSORS, gazetteer=None):
        stanza = _import_stanza()
        self.model_dir = check_models(model_dir)
        try:
            self.pipeline = stanza.Pipeline(
                LANG, dir=str(self.model_dir), processors=processors, download_method=None,
                tokenize_no_ssplit=True, logging_level="WARN",
            )
        except (FileNotFoundError, ValueError, KeyError) as exc:
            # stanza raises these when resources.json lacks a processor or a model file is absent
            raise ModelsMissingError(
                f"Stanza could not load the Arabic models from {self.model_dir}: {exc}. "
                f"Re-download them: kz models download --dir {self.model_dir}"
            ) from exc
        self.gazetteer = gazetteer

    def analyze(self, text: str) -> Analysis:
        from kzlib.segment import split_sentences

        spans = split_sentences(text)
        # One sentence per paragraph; tokenize_no_ssplit keeps stanza from splitting them again.
        doc = self.pipeline("\n\n".join(text[s:e] for s, e in spans))
        return from_stanza_document(doc, text, sentence_spans=spans, gazetteer=self.gazetteer)


class _Aligner:
    """Finds each stanza token in the original text, in order; diacritics and tatweel may differ."""

    def __init__(self, text: str):
        from kzlib.normalize import normalize

        self.text = text
        self.folded = normalize(text)
        self.cursor = 0

    def find(self, token_text: str) -> tuple[int, int] | None:
        """Span of the next occurrence, searched in the folded text so that marks never block a match;
        the span is widened over diacritics that follow the token in the original."""
        from kzlib.normalize import normalize_word

        folded_token = normalize_word(token_text)
        if not folded_token:
            return None
        folded_cursor = bisect_left(self.folded.offsets, self.cursor)
        hit = self.folded.text.find(folded_token, folded_cursor, folded_cursor + _ALIGN_WINDOW + len(folded_token))
        if hit == -1:
            return None
        start, end = self.folded.to_original(hit, hit + len(folded_token))
        self.cursor = end
        return start, end


def from_stanza_document(doc, text: str, sentence_spans=None, gazetteer=None) -> Analysis:
    """Convert a stanza Document into an Analysis whose offsets point into `text` (the original)."""
    if gazetteer is None:
        from kzlib.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    aligner = _Aligner(text)
    tokens: list[Token] = []
    entities: list[Mention] = []
    unaligned: list[str] = []
    for sentence in doc.sentences:
        spans: dict[int, tuple[int, int]] = {}
        for k, tok in enumerate(sentence.tokens):
            span = aligner.find(tok.text)
            if span is None:
                unaligned.append(tok.text)
                continue
            spans[id(tok)] = span
            words = tuple(Word(w.text, w.lemma, w.upos) for w in tok.words)
            tokens.append(Token(span[0], span[1], text[span[0]:span[1]], words))
        for ent in _sentence_entities(sentence):
            first, last = spans.get(id(ent.tokens[0])), spans.get(id(ent.tokens[-1]))
            if first is None or last is None:
                unaligned.append(" ".join(t.text for t in ent.tokens))
                continue
            surface = text[first[0]:last[1]]
            entities.append(Mention(first[0], last[1], surface, ent.type, gazetteer.lookup(surface), "stanza"))
    if sentence_spans is None:
        from kzlib.segment import split_sentences

        sentence_spans = split_sentences(text)
    return Analysis(text, "stanza", list(sentence_spans), tokens, entities, unaligned)


def _sentence_entities(sentence):
    """Entities of one sentence; built from the tokens' BIOES tags when stanza has not built them."""
    if sentence.ents:
        return sentence.ents
    if any(getattr(t, "ner", None) not in (None, "O") for t in sentence.tokens):
        sentence.doc.build_ents()
    return sentence.ents
