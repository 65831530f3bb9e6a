"""A sentence far longer than news sentences (a scraped table, a transcript without full stops) is read in
pieces of at most kzlib.claims.ANALYSIS_MAX_CHARS, so extraction time stays linear in its length
(benchmarks/bench_robustness.py prints the times); claims inside each piece are found as in a short one."""

from kzlib.claims import ANALYSIS_MAX_CHARS, analysis_pieces, extract_text


def test_a_news_length_sentence_is_one_piece():
    text = "قال الدفاع المدني إن 12 شخصاً قتلوا في الحريق. " * 3
    assert analysis_pieces(text, 0, len(text)) == [(0, len(text))]


def test_pieces_cover_the_sentence_and_cut_after_a_clause_mark():
    clause = "وقتل 3 أشخاص في القرية الأولى، "          # 31 characters, ends with "، "
    text = clause * 200
    pieces = analysis_pieces(text, 0, len(text))
    assert len(pieces) > 1
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))         # contiguous, nothing dropped
    assert all(e - s <= ANALYSIS_MAX_CHARS for s, e in pieces)
    assert all(text[e - 2:e] == "، " or text[e - 1] == "،" for _, e in pieces[:-1])


def test_a_text_without_marks_or_spaces_is_cut_at_the_limit():
    text = "ا" * (ANALYSIS_MAX_CHARS * 2 + 5)
    assert analysis_pieces(text, 0, len(text)) == [(0, ANALYSIS_MAX_CHARS), (ANALYSIS_MAX_CHARS, 2 * ANALYSIS_MAX_CHARS),
                                                   (2 * ANALYSIS_MAX_CHARS, len(text))]


def test_every_clause_of_a_long_unpunctuated_sentence_gives_its_claim():
    clauses = [f"وقتل {n} أشخاص في القرية رقم {n + 1000}، " for n in range(3, 203)]
    text = "".join(clauses)
    assert len(text) > 5 * ANALYSIS_MAX_CHARS
    killed = sorted(c.value for c in extract_text(text) if c.category == "killed")
    assert killed == [float(n) for n in range(3, 203)]
