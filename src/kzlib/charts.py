"""Arabic-safe chart labels, one font that covers Arabic and Latin, one chart style.

Renderers with complex text layout (matplotlib >= 3.11 via libraqm, browsers) shape Arabic and order
mixed-direction text themselves: they must get the text unchanged. Renderers without it (older
matplotlib, PIL without raqm, most terminals) need the text reshaped into presentation forms
(arabic-reshaper) and put in visual order (python-bidi). Applying both draws Arabic backwards, so
every label goes through `prepare_label`, which decides per renderer. Reshaped text is for display
only: it must never reach data files (`has_presentation_forms` lets tests check that).
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
import warnings
from pathlib import Path
from typing import Sequence

#: Renderers that lay out complex text themselves; the value says how to detect it.
CTL_TARGETS = ("matplotlib", "html", "pil")
#: Renderers known to draw code points one by one, left to right.
BASIC_TARGETS = ("basic", "terminal")

FALLBACK_FAMILY = "DejaVu Sans"
SEPARATOR = " · "

_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]")


# --- detection -------------------------------------------------------------------------------

def has_presentation_forms(text: str) -> bool:
    """True when `text` holds Arabic presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF): reshaped display text."""
    return bool(_PRESENTATION_FORMS.search(text or ""))


def arabic_share(text: str) -> float:
    """Share of Arabic letters among all letters of `text` (0.0 when it has no letters)."""
    letters = [ch for ch in (text or "") if unicodedata.category(ch).startswith("L")]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if _ARABIC_LETTER.match(ch)) / len(letters)


@functools.lru_cache(maxsize=None)
def matplotlib_shapes_text() -> bool:
    """Does this matplotlib shape Arabic itself? Probed, not assumed from the version number.

    Lays out "بب" with matplotlib's own text layout: a shaping engine gives the two letters
    different glyphs (initial and final forms) and puts the first letter on the right.
    """
    try:
        from matplotlib import _text_helpers, ft2font
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return False
    if not getattr(ft2font, "__libraqm_version__", None):
        return False
    try:
        font = ft2font.FT2Font(font_path())
        font.set_size(12, 72)
        items = list(_text_helpers.layout("بب", font))
    except Exception:  # older layout API or a font problem: treat as "no shaping"
        return False
    if len(items) != 2:
        return False
    isolated = font.get_char_index(ord("ب"))
    # joined letters get contextual forms: neither glyph is the isolated one, and they differ
    glyphs = [item.glyph_index for item in items]
    return isolated not in glyphs and glyphs[0] != glyphs[1]


@functools.lru_cache(maxsize=None)
def pil_shapes_text() -> bool:
    """Does Pillow have raqm (its complex text layout engine)?"""
    try:
        from PIL import features
    except ImportError:
        return False
    return bool(features.check_feature("raqm"))


def renderer_shapes_text(target: str) -> bool:
    if target == "matplotlib":
        return matplotlib_shapes_text()
    if target == "html":
        return True
    if target == "pil":
        return pil_shapes_text()
    if target in BASIC_TARGETS:
        return False
    raise ValueError(f"unknown label target {target!r}: use one of {CTL_TARGETS + BASIC_TARGETS}")


# --- labels ----------------------------------------------------------------------------------

def prepare_label(text: str, target: str = "matplotlib") -> str:
    """Text ready to draw on `target`.

    Unchanged for renderers that shape and order Arabic themselves (matplotlib with libraqm, HTML,
    PIL with raqm); reshaped and put in visual order (brackets mirrored) for the others
    ("basic", "terminal", or those renderers without their shaping engine). Display only.
    """
    if text is None:
        return ""
    text = str(text)
    if renderer_shapes_text(target) or not _ARABIC_LETTER.search(text):
        return text
    return to_visual(text)


def to_visual(text: str) -> str:
    """Reshape Arabic into presentation forms and reorder each line for a left-to-right renderer."""
    import arabic_reshaper

    reshaped = arabic_reshaper.reshape(text)
    return "\n".join(_visual_line(line) for line in reshaped.split("\n"))


def bilingual(ar: str, en: str, target: str = "matplotlib") -> str:
    """One bilingual label, Arabic first: "قتلى · killed"; prepared for `target`."""
    ar, en = (ar or "").strip(), (en or "").strip()
    joined = SEPARATOR.join(part for part in (ar, en) if part)
    return prepare_label(joined, target)


def shorten(text: str, limit: int = 40) -> str:
    """Cut `text` to at most `limit` characters at a word boundary, marking the cut with "…"."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut + "…"


def article_labels(frame, limit: int = 48) -> list[str]:
    """"outlet · headline" per row of an articles frame (the id when the headline is missing), shortened."""
    labels = []
    for outlet, headline, article_id in zip(frame["outlet"], frame["headline"], frame["id"]):
        title = headline if isinstance(headline, str) and headline.strip() else article_id
        outlet = outlet if isinstance(outlet, str) and outlet.strip() else "unknown"
        labels.append(shorten(f"{outlet}{SEPARATOR}{title}", limit))
    return labels


def _visual_line(line: str) -> str:
    # python-bidi's pure-Python algorithm (bidi.algorithm), not its default Rust one: the Rust get_display
    # of python-bidi 0.6 does not mirror brackets (UAX#9 rule L4), so a right-to-left "(26)" would be drawn
    # ")26(". Only renderers without text layout get here: speed does not matter.
    from bidi.algorithm import get_display

    return get_display(line)


# --- fonts and style -------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def font_files() -> tuple[Path, ...]:
    """TTF files of IBM Plex Sans Arabic (Arabic + Latin), from the fontpkg-ibm-plex-sans-arabic package."""
    try:
        import fontpkg_ibm_plex_sans_arabic as plex
    except ImportError:
        return ()
    folder = Path(plex.__file__).resolve().parent / "files"
    return tuple(sorted(folder.glob("*.ttf")))


def font_path() -> str:
    """The regular-weight file of the chart font (or matplotlib's DejaVu Sans)."""
    for path in font_files():
        if path.stem.endswith("-Regular"):
            return str(path)
    from matplotlib import font_manager

    return font_manager.findfont(FALLBACK_FAMILY)


@functools.lru_cache(maxsize=None)
def register_fonts() -> str:
    """Register the Arabic+Latin font with matplotlib; return the family to use.

    Falls back to DejaVu Sans (which has basic Arabic) with a warning when the font package is missing.
    """
    from matplotlib import font_manager

    files = font_files()
    if not files:
        warnings.warn(
            "fontpkg-ibm-plex-sans-arabic is not installed: charts use DejaVu Sans "
            "(pip install fontpkg-ibm-plex-sans-arabic for a font made for Arabic)",
            stacklevel=2,
        )
        return FALLBACK_FAMILY
    for path in files:
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(font_path())).get_name()


STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "figure.figsize": (8.0, 4.5),
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#dddddd",
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.prop_cycle": None,  # filled in use_style (needs cycler)
    "svg.fonttype": "path",  # SVGs render the same without the font installed
    "axes.unicode_minus": False,
}
PALETTE = ("#1f5f8b", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#566573")


def use_style() -> str:
    """Apply the one chart style of the project (font, sizes, colours); return the font family used."""
    import matplotlib as mpl
    from cycler import cycler

    family = register_fonts()
    params = dict(STYLE)
    params["axes.prop_cycle"] = cycler(color=list(PALETTE))
    params["font.family"] = [family, FALLBACK_FAMILY] if family != FALLBACK_FAMILY else [FALLBACK_FAMILY]
    mpl.rcParams.update(params)
    return family


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str = "", xlabel: str = "",
              target: str = "matplotlib"):
    """Horizontal bar chart, first label on top; labels and title prepared for `target`. Returns the figure."""
    import matplotlib.pyplot as plt

    use_style()
    labels = [prepare_label(label, target) for label in labels]
    height = max(2.5, 0.45 * len(labels) + 1.2)
    fig, ax = plt.subplots(figsize=(8.0, height))
    positions = range(len(labels))
    ax.barh(list(positions), list(values), color=PALETTE[0])
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    for pos, value in zip(positions, values):
        ax.annotate(f"{value:,.0f}", (value, pos), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9)
    if title:
        ax.set_title(prepare_label(title, target))
    if xlabel:
        ax.set_xlabel(prepare_label(xlabel, target))
    fig.tight_layout()
    return fig


def save_figure(fig, stem: str | os.PathLike) -> list[Path]:
    """Save as `stem.png` + `stem.svg` through kzlib.io (atomic); returns the paths."""
    from kzlib.io import write_figure

    return write_figure(fig, stem)


def publish_figure(fig, stem: str | os.PathLike) -> list[Path]:
    """Save as `stem.png` + `stem.svg` (save_figure), show the saved PNG, close the figure; returns the paths.

    In a notebook this replaces `save_figure(...)` + `plt.show()`: the inline backend would render the
    figure a second time (a full draw plus a tight bounding box) to show it; here the page shows the very
    PNG in `figures/`, scaled to the figure's on-screen size (its `dpi` against the PNG's `savefig.dpi`).
    Outside IPython, `display` only prints a placeholder."""
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    paths = save_figure(fig, stem)
    png = next((path for path in paths if path.suffix == ".png"), None)
    if png is not None:
        data = png.read_bytes()
        saved_dpi = matplotlib.rcParams["savefig.dpi"]
        saved_dpi = fig.dpi if saved_dpi == "figure" else float(saved_dpi)
        width = png_size(data)[0]
        display(Image(data=data, format="png", width=max(1, round(width * fig.dpi / saved_dpi))))
    plt.close(fig)
    return paths


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
