"""The printed briefings waste no pages: in each real briefing, at most one page besides the
cover holds fewer than 80 words (an orphaned heading, a contents tail, a table's last row).

Words are counted in the page's body, between the @page margins, so the running header and
footer (title, classification, "Page X of Y") never make an empty page look full; a word is a
run of characters with a letter or digit in it, so the contents' leader dots are not words.
Text inside charts counts: a page holding a chart is not empty.
"""

from __future__ import annotations

from pathlib import Path

import pdftext
import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.slow

BRIEFINGS = sorted(p.stem for p in (Path(__file__).parents[1] / "params").glob("*.yaml"))
#: The @page margin of static/briefing.css (22 mm top and bottom), in points.
MARGIN = 22 / 25.4 * 72
NEAR_EMPTY = 80


def body_words(page: pdftext.PageText) -> int:
    """Words printed on the page between the top and bottom margins."""
    return sum(
        1
        for y, text in page.runs
        if MARGIN <= y <= page.height - MARGIN
        for w in text.split()
        if any(c.isalnum() for c in w)
    )


def word_counts(pdf: Path) -> list[int]:
    return [body_words(p) for p in pdftext.pages(pdf)]


def test_page_text_read_once_is_what_pypdf_reads(real_reports: Path) -> None:
    pdf = real_reports / "baseline" / "v1" / "baseline-v1.pdf"
    first = PdfReader(pdf).pages[:3]
    assert [p.extract_text() for p in first] == pdftext.texts(pdf)[:3]


def test_the_counter_sees_the_body_and_not_the_running_header(real_reports: Path) -> None:
    pdf = real_reports / "baseline" / "v1" / "baseline-v1.pdf"
    counts = word_counts(pdf)
    # the cover is short; the key judgments page is full
    assert counts[0] < NEAR_EMPTY < counts[1]
    # every page carries header and footer words the count leaves out
    for text, n in zip(pdftext.texts(pdf), counts, strict=True):
        assert len(text.split()) > n


@pytest.mark.parametrize("name", BRIEFINGS)
def test_no_more_than_one_near_empty_page_besides_the_cover(real_reports: Path, name: str) -> None:
    counts = word_counts(real_reports / name / "v1" / f"{name}-v1.pdf")
    near_empty = [(i, n) for i, n in enumerate(counts, 1) if i > 1 and n < NEAR_EMPTY]
    assert len(near_empty) <= 1, (
        f"{name}: pages under {NEAR_EMPTY} words (page, words): {near_empty}; all: {counts}"
    )
