"""Stanza Arabic backend: tokens, multi-word tokens (clitics), lemmas, POS and named entities.

Models are loaded offline only: `stanza.Pipeline('ar', dir=..., download_method=None)`. The folder is
the `model_dir` argument, else $STANZA_RESOURCES_DIR, else ~/stanza_resources; it must hold stanza's
resources.json and the Arabic model files it lists (ar/<processor>/<package>.pt). Without them a
ModelsMissingError says which folder was searched, what is missing, and which command downloads the
models (`kz models download --dir DIR`, needs internet once).

Sentences are split by kzlib.segment before stanza sees the text (stanza's Arabic sentence splitter
is weak on news, stanza issue #1393): one sentence per paragraph, with tokenize_no_ssplit. Every
stanza token is mapped back to the ORIGINAL text: through stanza's character offsets when it gives
them, else by searching forward in the folded text (kzlib.normalize), so diacritics and tatweel that
stanza drops or adds never block a match. A token found nowhere is listed in Analysis.unaligned.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left, bisect_right
from pathlib import Path

from kzlib.nlp.base import CLITIC_UPOS, Analysis, Mention, Token, Word

PROCESSORS = "tokenize,mwt,pos,lemma,ner"
LANG = "ar"
SENTENCE_SEPARATOR = "\n\n"  # a paragraph break: with tokenize_no_ssplit, stanza's only sentence boundary
_ALIGN_WINDOW = 200  # how far past the previous token a token may start (punctuation, spaces, quotes)

# Stanza's NER labels (AQMAR: PER / LOC / ORG / MISC) in kzlib's entity types (kzlib.nlp.base.ENTITY_TYPES).
LABEL_TYPES = {"PER": "person", "LOC": "place", "ORG": "organization", "MISC": "misc"}


class ModelsMissingError(RuntimeError):
    """Stanza's Arabic models are not where kzlib looked, or cannot be loaded or downloaded."""


class StanzaMissingError(ImportError):
    """The stanza package is not installed."""


def _import_stanza():
    try:
        import stanza
    except ImportError as exc:
        raise StanzaMissingError(
            'the stanza backend needs the stanza package: pip install "kzlib[stanza]" (the rule backend needs nothing)'
        ) from exc
    return stanza


# --- model folder -------------------------------------------------------------------------------


def resolve_model_dir(model_dir: str | os.PathLike | None = None) -> Path:
    if model_dir:
        return Path(model_dir).expanduser()
    env = os.environ.get("STANZA_RESOURCES_DIR")
    return Path(env).expanduser() if env else Path.home() / "stanza_resources"


def _missing(folder: Path, what: str) -> ModelsMissingError:
    return ModelsMissingError(
        f"Stanza Arabic models not found in {folder} (missing: {what}). "
        f"Download them once, with internet: kz models download --dir {folder} "
        f"(or set STANZA_RESOURCES_DIR to a folder that has them)."
    )


def expected_model_files(folder: Path, processors: str = PROCESSORS) -> list[Path]:
    """The model files stanza will open for `processors`, dependencies included, as resources.json lists them.

    Uses stanza's own resolution (packages, then dependencies such as pretrained vectors and charlms)."""
    from stanza.resources import common as stanza_resources

    path = folder / "resources.json"
    resources = _arabic_resources(folder, path)
    lang, pairs = _processor_packages(stanza_resources, resources, folder, path, processors)
    found = {name for name, _ in pairs}
    absent = [p for p in processors.split(",") if p not in found]
    if absent:
        raise _missing(folder, f"{', '.join(absent)} for Arabic in {path}")
    # the identity lemmatizer has no file
    return sorted({folder / lang / name / f"{pkg}.pt" for name, pkg in pairs if pkg != "identity"})


def _arabic_resources(folder: Path, path: Path) -> dict:
    """resources.json read, when it is readable and lists Arabic; else ModelsMissingError."""
    try:
        resources = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _missing(folder, f"a readable resources.json ({exc})") from exc
    if not isinstance(resources, dict) or LANG not in resources:
        raise _missing(folder, f"Arabic ('{LANG}') in {path}")
    return resources


def _processor_packages(stanza_resources, resources: dict, folder: Path, path: Path,
                        processors: str) -> tuple[str, list]:
    """(language, [(processor, package)]) stanza loads for `processors`, dependencies included, by stanza's
    own rules (`stanza_resources`: stanza.resources.common)."""
    try:
        lang, _, package, wanted = stanza_resources.process_pipeline_parameters(LANG, str(folder), None, processors)
        load_list = stanza_resources.add_dependencies(
            resources, lang, stanza_resources.maintain_processor_list(resources, lang, package, wanted))
        return lang, stanza_resources.flatten_processor_list(load_list)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _missing(folder, f"Arabic processors {processors} in {path} ({type(exc).__name__}: {exc})") from exc


def check_models(model_dir: str | os.PathLike | None = None, processors: str = PROCESSORS) -> Path:
    """The model folder, or ModelsMissingError naming the folder, what is missing and the command to run."""
    folder = resolve_model_dir(model_dir)
    if not folder.is_dir():
        raise _missing(folder, "the folder does not exist")
    if not (folder / "resources.json").is_file():
        raise _missing(folder, "resources.json")
    try:
        import stanza  # noqa: F401  (the file list needs stanza's resolution rules)
    except ImportError:
        return folder  # the basic checks only; the backend reports the missing package itself
    files = expected_model_files(folder, processors)
    absent = [str(f.relative_to(folder)) for f in files if not f.is_file()]
    # an interrupted download leaves empty files behind; torch would fail on them with a bare EOFError
    absent += [f"{f.relative_to(folder)} (empty file)" for f in files if f.is_file() and f.stat().st_size == 0]
    if absent:
        raise _missing(folder, ", ".join(absent))
    return folder


def pipeline_options(folder: Path, processors: str = PROCESSORS) -> dict:
    """Keyword arguments of stanza.Pipeline: offline, pre-split sentences."""
    return dict(lang=LANG, dir=str(folder), processors=processors, download_method=None,
                tokenize_no_ssplit=True, logging_level="WARN")


def download_models(model_dir: str | os.PathLike | None = None, processors: str = PROCESSORS) -> Path:
    """`kz models download`: fetch stanza's Arabic models into the folder (needs internet)."""
    stanza = _import_stanza()
    folder = resolve_model_dir(model_dir)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        stanza.download(LANG, model_dir=str(folder), processors=processors)
    except Exception as exc:  # network failures come in many types (requests, urllib3, OSError, ValueError)
        raise ModelsMissingError(
            f"could not download stanza's Arabic models into {folder}: {type(exc).__name__}: {exc}. "
            "This needs internet access to stanza's model hub (resources.json from raw.githubusercontent.com, "
            "models from huggingface.co); without it, copy a folder downloaded elsewhere to "
            f"{folder} or point STANZA_RESOURCES_DIR at one."
        ) from exc
    return check_models(folder, processors)


# --- backend ------------------------------------------------------------------------------------


class StanzaBackend:
    name = "stanza"

    def __init__(self, model_dir: str | os.PathLike | None = None, processors: str = PROCESSORS, gazetteer=None):
        stanza = _import_stanza()
        self.model_dir = check_models(model_dir, processors)
        try:
            self.pipeline = stanza.Pipeline(**pipeline_options(self.model_dir, processors))
        except (TypeError, AttributeError, NameError):
            raise  # our bug, not the folder's
        except Exception as exc:  # noqa: BLE001  stanza/torch raise FileNotFoundError, ValueError, KeyError,
            # RuntimeError, EOFError, UnpicklingError ... for absent, truncated or mismatched model files
            raise ModelsMissingError(
                f"Stanza could not load the Arabic models from {self.model_dir}: {type(exc).__name__}: {exc or 'no message'}. "
                f"The files may be incomplete or from another stanza version; re-download them: "
                f"kz models download --dir {self.model_dir}"
            ) from exc
        self.gazetteer = gazetteer

    def analyze(self, text: str) -> Analysis:
        from kzlib.segment import split_sentences

        spans = split_sentences(text)
        if not spans:
            return Analysis(text, self.name)
        doc = self.pipeline(join_sentences(text, spans))
        return from_stanza_document(doc, text, sentence_spans=spans, gazetteer=self.gazetteer)


def join_sentences(text: str, spans) -> str:
    """The string given to stanza: one pre-split sentence per paragraph. Line breaks inside a sentence
    become spaces (same length), so stanza cannot split there and offsets stay computable."""
    return SENTENCE_SEPARATOR.join(text[s:e].replace("\n", " ") for s, e in spans)


# --- conversion ---------------------------------------------------------------------------------


class _OffsetMap:
    """Stanza's character offsets (into the string it processed) mapped to the original text."""

    def __init__(self, doc_text: str | None, text: str, sentence_spans):
        self.starts: list[int] = []   # where each piece starts in doc_text
        self.origins: list[int] = []  # where the same piece starts in the original
        self.lengths: list[int] = []
        if doc_text is None:
            return
        if doc_text == text:
            self.starts, self.origins, self.lengths = [0], [0], [len(text)]
        elif sentence_spans is not None and doc_text == join_sentences(text, sentence_spans):
            pos = 0
            for s, e in sentence_spans:
                self.starts.append(pos)
                self.origins.append(s)
                self.lengths.append(e - s)
                pos += e - s + len(SENTENCE_SEPARATOR)

    def to_original(self, start: int | None, end: int | None) -> tuple[int, int] | None:
        if start is None or end is None or not self.starts:
            return None
        k = bisect_right(self.starts, start) - 1
        if k < 0 or end - self.starts[k] > self.lengths[k]:
            return None
        return self.origins[k] + start - self.starts[k], self.origins[k] + end - self.starts[k]


class _Aligner:
    """Finds each stanza token in the original text, in order; diacritics and tatweel may differ."""

    def __init__(self, text: str):
        from kzlib.normalize import normalize

        self.text = text
        self.folded = normalize(text)
        self.cursor = 0

    def matches(self, span: tuple[int, int], token_text: str) -> bool:
        from kzlib.normalize import normalize_word

        return normalize_word(self.text[span[0]:span[1]]) == normalize_word(token_text)

    def accept(self, span: tuple[int, int]) -> tuple[int, int]:
        self.cursor = max(self.cursor, span[1])
        return span

    def find(self, token_text: str) -> tuple[int, int] | None:
        """Span of the next occurrence after the previous token, searched in the folded text so that
        marks never block a match; the span is widened over diacritics that follow the token."""
        from kzlib.normalize import normalize_word

        folded_token = normalize_word(token_text)
        if not folded_token:
            return None
        folded_cursor = bisect_left(self.folded.offsets, self.cursor)
        hit = self.folded.text.find(folded_token, folded_cursor, folded_cursor + _ALIGN_WINDOW + len(folded_token))
        if hit == -1:
            return None
        return self.accept(self.folded.to_original(hit, hit + len(folded_token)))


def _word_spans(text: str, span: tuple[int, int], words) -> list[tuple[int, int] | None]:
    """Where each word of a token is written: searched in order inside the token. A word whose letters
    are not written as such (ل + الهجوم in "للهجوم") gets None rather than a guessed span."""
    from kzlib.normalize import normalize, normalize_word

    if len(words) == 1:
        return [span]
    folded = normalize(text[span[0]:span[1]])
    out, cursor = [], 0
    for w in words:
        needle = normalize_word(w.text or "")
        hit = folded.text.find(needle, cursor) if needle else -1
        if hit == -1:
            out.append(None)
            continue
        s, e = folded.to_original(hit, hit + len(needle))
        out.append((span[0] + s, span[0] + e))
        cursor = hit + len(needle)
    return out


def from_stanza_document(doc, text: str, sentence_spans=None, gazetteer=None) -> Analysis:
    """Convert a stanza Document into an Analysis whose offsets point into `text` (the original).

    `sentence_spans`: the spans the text was pre-split into before stanza (StanzaBackend.analyze); when
    doc.text is those sentences joined, stanza's character offsets map exactly to the original."""
    if gazetteer is None:
        from kzlib.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    offsets = _OffsetMap(getattr(doc, "text", None), text, sentence_spans)
    aligner = _Aligner(text)
    tokens: list[Token] = []
    entities: list[Mention] = []
    unaligned: list[str] = []
    for sentence in doc.sentences:
        converted: dict[int, Token] = {}     # id of a stanza token -> its Token
        for tok in sentence.tokens:
            token = _aligned_token(tok, text, offsets, aligner)
            if token is None:
                unaligned.append(tok.text)
                continue
            converted[id(tok)] = token
            tokens.append(token)
        for ent in _sentence_entities(sentence):
            first, last = converted.get(id(ent.tokens[0])), converted.get(id(ent.tokens[-1]))
            if first is None or last is None:
                unaligned.append(" ".join(t.text for t in ent.tokens))
                continue
            entities.append(_mention(text, first, last, ent.type, gazetteer))
    if sentence_spans is None:
        from kzlib.segment import split_sentences

        sentence_spans = split_sentences(text)
    return Analysis(text, "stanza", list(sentence_spans), tokens, entities, unaligned)


def _aligned_token(tok, text: str, offsets: _OffsetMap, aligner: _Aligner) -> Token | None:
    """A stanza token as a Token of the original text: at stanza's offsets when they hold its text, else
    found after the previous token; None when it is found nowhere."""
    span = offsets.to_original(tok.start_char, tok.end_char)
    span = aligner.accept(span) if span and aligner.matches(span, tok.text) else aligner.find(tok.text)
    if span is None:
        return None
    word_spans = _word_spans(text, span, tok.words)
    words = tuple(Word(w.text, w.lemma, w.upos, *(ws or (None, None))) for w, ws in zip(tok.words, word_spans))
    return Token(span[0], span[1], text[span[0]:span[1]], words)

def _mention(text: str, first: Token, last: Token, label: str, gazetteer) -> Mention:
    """An entity from its first and last token: attached clitics (و، ب، ل ...) trimmed off the start,
    mapped to a gazetteer id when the name (with or without its clitics) is a listed variant."""
    start = _name_start(first)
    surface, full = text[start:last.end], text[first.start:last.end]
    canonical = gazetteer.lookup(surface) or (gazetteer.lookup(full) if full != surface else None)
    kind = gazetteer.info(canonical)["type"] if canonical else LABEL_TYPES.get(label, "misc")
    return Mention(start, last.end, surface, kind, canonical, "stanza", label)


def _name_start(token: Token) -> int:
    """Start of the first non-clitic word of a multi-word token, when its position in the text is known."""
    if not token.is_multiword:
        return token.start
    for word in token.words:
        if word.upos in CLITIC_UPOS:
            continue
        return word.start if word.start is not None else token.start
    return token.start


def _sentence_entities(sentence):
    """Entities of one sentence; built from the tokens' BIOES tags when stanza has not built them
    (documents read from CoNLL-U carry the tags in MISC but no entity objects)."""
    if sentence.ents:
        return sentence.ents
    if any(getattr(t, "ner", None) not in (None, "O") for t in sentence.tokens):
        sentence.doc.build_ents()
    return sentence.ents
