"""kzlib.charts: labels are processed once (never reshaped for a renderer that shapes), brackets mirror,
reshaped text never reaches data, the font covers Arabic and Latin, figures save as PNG + SVG."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import _text_helpers, ft2font  # noqa: E402

from kzlib import charts  # noqa: E402

HEADLINE = "روسيا تعلن اكتمال نشر قوات حفظ السلام في كازاخستان"
KILLED = "مقتل 164 شخصا (بينهم 16 من رجال الأمن)"

needs_native_shaping = pytest.mark.skipif(not charts.matplotlib_shapes_text(),
                                          reason="this matplotlib has no libraqm shaping")


def render(text: str) -> np.ndarray:
    charts.use_style()
    fig = plt.figure(figsize=(6, 1), dpi=100)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=16)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    return pixels


def visual_letters(text: str) -> list[str]:
    """Base letters of `text` as matplotlib lays them out, left to right on the page."""
    font = ft2font.FT2Font(charts.font_path())
    font.set_size(12, 72)
    items = sorted(_text_helpers.layout(text, font), key=lambda item: item.x)
    letters = [unicodedata.normalize("NFKC", item.char) for item in items]
    return [ch for ch in letters if ch.strip() and unicodedata.category(ch[0]).startswith("L")]


# --- the label helper ------------------------------------------------------------------------

def test_detection_is_a_probe_and_matches_libraqm_presence():
    has_raqm = bool(getattr(ft2font, "__libraqm_version__", None))
    assert charts.matplotlib_shapes_text() is has_raqm


def test_matplotlib_without_libraqm_gets_reshaped_labels(monkeypatch):
    monkeypatch.setattr(ft2font, "__libraqm_version__", "", raising=False)
    charts.matplotlib_shapes_text.cache_clear()
    try:
        shown = charts.prepare_label(HEADLINE)
        assert shown == charts.to_visual(HEADLINE) and charts.has_presentation_forms(shown)
    finally:
        charts.matplotlib_shapes_text.cache_clear()


@needs_native_shaping
def test_matplotlib_with_shaping_gets_text_unchanged():
    for text in (HEADLINE, KILLED, "قتلى · killed"):
        assert charts.prepare_label(text) == text
        assert charts.prepare_label(text, "html") == text


def test_renderer_without_shaping_gets_presentation_forms_in_visual_order():
    shown = charts.prepare_label("قتلى", "basic")
    assert charts.has_presentation_forms(shown)
    # visual order: the first logical letter (ق) is drawn last, at the right end
    assert [unicodedata.normalize("NFKC", ch) for ch in shown] == list("ىلتق")


def test_brackets_are_mirrored_in_right_to_left_runs():
    shown = charts.prepare_label(KILLED, "basic")
    # The parenthetical ends the sentence, so it is the left part of the visual line. Its brackets
    # must look like "(...)" on the page; python-bidi 0.6 alone gives ")...(".
    assert shown.startswith("("), shown
    assert shown.index("(") < shown.index(")"), shown
    assert shown.endswith(charts.prepare_label("مقتل", "basic")), shown


def test_latin_inside_arabic_keeps_its_order_and_brackets():
    shown = charts.prepare_label("قالت وزارة الداخلية (Interior Ministry) إن", "basic")
    assert "(Interior Ministry)" in shown


def test_plain_latin_is_never_touched():
    for target in ("matplotlib", "html", "basic", "terminal"):
        assert charts.prepare_label("killed (26) [x]", target) == "killed (26) [x]"


def test_unknown_target_is_an_error():
    with pytest.raises(ValueError, match="unknown label target"):
        charts.prepare_label(HEADLINE, "svg-viewer")


def test_bilingual_label():
    assert charts.bilingual("قتلى", "killed", "html") == "قتلى · killed"
    assert charts.bilingual("قتلى", "", "html") == "قتلى"
    basic = charts.bilingual("قتلى", "killed", "basic")
    assert basic.startswith("killed · ") and charts.has_presentation_forms(basic)


def test_has_presentation_forms():
    assert not charts.has_presentation_forms(HEADLINE)
    assert charts.has_presentation_forms("\ufe8d\ufedf")          # ا ل in presentation forms
    assert charts.has_presentation_forms("\ufefb")                # lam-alef ligature
    assert not charts.has_presentation_forms("")


def test_article_labels_handle_missing_headlines():
    import pandas as pd

    frame = pd.DataFrame({"id": ["a1", "a2"], "outlet": ["الجزيرة", None], "headline": [HEADLINE, float("nan")]})
    assert charts.article_labels(frame, 30) == ["الجزيرة · روسيا تعلن اكتمال…", "unknown · a2"]


def test_shorten_cuts_at_a_word():
    assert charts.shorten(HEADLINE, 20) == "روسيا تعلن اكتمال…"
    assert charts.shorten("قتلى", 20) == "قتلى"


# --- rendering: processed once, never twice ---------------------------------------------------

@needs_native_shaping
def test_label_renders_like_the_raw_text_drawn_natively():
    for text in (HEADLINE, KILLED):
        assert np.array_equal(render(charts.prepare_label(text)), render(text))


@needs_native_shaping
def test_double_processed_text_renders_differently():
    # proves the comparison above can fail: reshaped + bidi text drawn by a shaping renderer
    assert not np.array_equal(render(charts.to_visual(HEADLINE)), render(HEADLINE))


@needs_native_shaping
def test_glyph_order_native_is_right_to_left_and_double_processing_reverses_it():
    word = "كازاخستان"
    assert visual_letters(charts.prepare_label(word)) == list(reversed(word))
    assert visual_letters(charts.to_visual(word)) == list(word)  # drawn backwards


# --- font, style, saving ---------------------------------------------------------------------

def test_font_covers_arabic_and_latin():
    family = charts.register_fonts()
    assert family == "IBM Plex Sans Arabic"
    font = ft2font.FT2Font(charts.font_path())
    for ch in "قتلىkilled0123٠١٢٣()·":
        assert font.get_char_index(ord(ch)) != 0, ch


def test_missing_font_package_falls_back_with_a_warning(monkeypatch):
    monkeypatch.setattr(charts, "font_files", lambda: ())
    charts.register_fonts.cache_clear()
    try:
        with pytest.warns(UserWarning, match="DejaVu Sans"):
            assert charts.register_fonts() == "DejaVu Sans"
    finally:
        charts.register_fonts.cache_clear()


def test_use_style_sets_the_font_family():
    family = charts.use_style()
    assert matplotlib.rcParams["font.family"][0] == family


def test_bar_chart_saved_as_png_and_svg_with_raw_labels(tmp_path):
    labels = [f"الجزيرة · {HEADLINE}", "RT Arabic · روسيا اليوم"]
    fig = charts.bar_chart(labels, [512, 740], title=charts.bilingual("عدد الكلمات", "words"))
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # matplotlib >= 3.11 shapes Arabic itself (pyproject): labels reach it as written, never reshaped
    assert charts.matplotlib_shapes_text()
    assert ticks == labels
    png, svg = charts.save_figure(fig, tmp_path / "figures" / "words")
    plt.close(fig)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ET.parse(svg).getroot().tag.endswith("svg")


def test_publish_figure_saves_shows_the_saved_png_at_screen_size_and_closes(tmp_path, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    charts.use_style()
    fig = charts.bar_chart(["a", "b"], [1, 2], title="t")
    paths = charts.publish_figure(fig, tmp_path / "figures" / "bars")
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.is_file() for p in paths)
    assert not plt.fignum_exists(fig.number), "figure left open (the inline backend would render it again)"
    (image,) = shown
    data = paths[0].read_bytes()
    assert image.data == data and image.format == "png"           # the very file in figures/
    width, height = charts.png_size(data)
    saved_dpi = matplotlib.rcParams["savefig.dpi"]
    assert image.width == round(width * fig.dpi / saved_dpi) < width   # shown at the figure's own size
    with pytest.raises(ValueError):
        charts.png_size(b"GIF89a" + bytes(30))


@pytest.mark.parametrize("text, visual", [
    # hand-checked visual order (left to right, presentation forms folded back by NFKC): a right-to-left
    # line reads from its right end; digits and Latin keep their order; brackets and guillemets are mirrored
    ("قتل (26) شخصا في 2022", "2022 يف اصخش (26) لتق"),
    ("أكثر من 1300 (نحو 6 آلاف) [تقديرات] «رسمية»", "«ةيمسر» [تاريدقت] (فلاآ 6 وحن) 1300 نم رثكأ"),
    ("CSTO (منظمة معاهدة الأمن الجماعي) deployed 2,030 troops",
     "CSTO (يعامجلا نملأا ةدهاعم ةمظنم) deployed 2,030 troops"),
])
def test_visual_order_for_a_renderer_without_text_layout(text, visual):
    assert unicodedata.normalize("NFKC", charts.prepare_label(text, "basic")) == visual


def test_each_line_is_ordered_on_its_own():
    shown = charts.prepare_label("قتلى\nkilled (26)", "basic").split("\n")
    assert shown[1] == "killed (26)" and charts.has_presentation_forms(shown[0])
