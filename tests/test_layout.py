"""The printed briefings waste no pages: in each real briefing, at most one page besides the
cover holds fewer than 80 words (an orphaned heading, a contents tail, a table's last row).

Words are counted in the page's body, between the @page margins, so the running header and
footer (title, classification, "Page X of Y") never make an empty page look full; a word is a
run of characters with a letter or digit in it, so the contents' leader dots are not words.
Text inside charts counts: a page holding a chart is not empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.slow

BRIEFINGS = sorted(p.stem for p in (Path(__file__).parents[1] / "params").glob("*.yaml"))
#: The @page margin of static/briefing.css (22 mm top and bottom), in points.
MARGIN = 22 / 25.4 * 72
NEAR_EMPTY = 80


def body_words(page) -> int:
    """Words printed on the page between the top and bottom margins."""
    height = float(page.mediabox.height)
    words: list[str] = []

    def visit(text, cm, tm, font, size) -> None:
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # the text's baseline, in page space
        if MARGIN <= y <= height - MARGIN:
            words.extend(w for w in text.split() if any(c.isalnum() for c in w))

    page.extract_text(visitor_text=visit)
    return len(words)


def word_counts(pdf: Path) -> list[int]:
    return [body_words(p) for p in PdfReader(pdf).pages]


def test_the_counter_sees_the_body_and_not_the_running_header(real_reports: Path) -> None:
    pdf = real_reports / "baseline" / "v1" / "baseline-v1.pdf"
    reader = PdfReader(pdf)
    counts = word_counts(pdf)
    # the cover is short; the key judgments page is full
    assert counts[0] < NEAR_EMPTY < counts[1]
    # every page carries header and footer words the count leaves out
    for page, n in zip(reader.pages, counts, strict=True):
        assert len(page.extract_text().split()) > n


@pytest.mark.parametrize("name", BRIEFINGS)
def test_no_more_than_one_near_empty_page_besides_the_cover(real_reports: Path, name: str) -> None:
    counts = word_counts(real_reports / name / "v1" / f"{name}-v1.pdf")
    near_empty = [(i, n) for i, n in enumerate(counts, 1) if i > 1 and n < NEAR_EMPTY]
    assert len(near_empty) <= 1, (
        f"{name}: pages under {NEAR_EMPTY} words (page, words): {near_empty}; all: {counts}"
    )
