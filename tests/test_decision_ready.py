"""Briefings a decision-maker can act on: summary first, options and signposts as validated
data, what prompted the briefing, three different documents for three audiences, contents that
match the headings, a suggested citation. The real briefings are built once per test run."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pdftext
import pytest
import yaml
from pypdf import PdfReader

from riskbrief import options as opts
from riskbrief.errors import InputError
from riskbrief.scenarios import load_scenarios

ROOT = Path(__file__).parents[1]
DATA = ROOT / "data"
VARIANTS = ("arms-race", "safety-race")


# --- the bottom line says only what the briefing shows -------------------------------------------


@pytest.mark.parametrize("role", ["policy", "security", "negotiation"])
def test_bottom_line_names_options_only_when_the_briefing_has_them(role: str) -> None:
    from riskbrief.narrative import summary

    claims = ("options that", "The order of steps matters")
    without = summary.bottom_line({}, role)
    assert not any(c in without for c in claims), without
    with_options = summary.bottom_line({"implications": {"options": [{"id": "x"}]}}, role)
    assert any(c in with_options for c in claims), with_options


# --- options and signposts are validated data -------------------------------------------------


def _known() -> set[str]:
    from riskbrief.indicators import load_indicators

    return set(opts.load_governance(DATA / "governance.csv")["id"]) | set(
        load_indicators(DATA / "indicators.csv")["id"]
    )


def test_project_options_and_signposts_are_valid() -> None:
    options = opts.load_options(DATA / "options.yaml", _known())
    signposts = opts.load_signposts(DATA / "signposts.yaml", _known())
    for role in opts.AUDIENCES:
        assert opts.for_audience(options, role), role
        assert opts.for_audience(signposts, role), role
    assert any("model" in o for o in options) and any("model" not in o for o in options)


def _write(tmp_path: Path, name: str, doc: dict) -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return p


def _options() -> dict:
    return yaml.safe_load((DATA / "options.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda o: o.update(audiences=["policy", "diplomats"]),
            ("options.1.audiences", "'diplomats'"),
        ),
        (
            lambda o: o.update(feasability="high"),
            ("options.1.feasability", "did you mean 'feasibility'"),
        ),
        (lambda o: o.pop("costs"), ("options.1.costs", "missing field")),
        (
            lambda o: o.update(evidence=["seoul-commitment"]),
            ("options.1.evidence", "did you mean 'seoul-commitments'"),
        ),
        (
            lambda o: o.update(model={"dsair": {"p_foo": {"shift": 0.1}}}),
            ("options.1.model.dsair.p_foo", "unknown parameter"),
        ),
        (
            lambda o: o.update(model={"racing": {"information": {"set": "secret"}}}),
            ("options.1.model.racing.information", "set: one of"),
        ),
        (
            lambda o: o.update(model={"racing": {"mu": {"scale": -1}}}),
            ("options.1.model.racing.mu", "positive"),
        ),
    ],
)
def test_bad_option_names_the_entry_and_field(tmp_path: Path, edit, expected) -> None:
    doc = _options()
    edit(doc["options"][0])
    with pytest.raises(InputError) as exc:
        opts.load_options(_write(tmp_path, "options.yaml", doc), _known())
    msg = str(exc.value)
    assert "options.yaml" in msg
    for text in expected:
        assert text in msg, msg


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda s: s.update(direction="worsens"), ("signposts.1.direction", "raises, lowers")),
        (lambda s: s.update(source=None), ("signposts.1.now", "with no source")),
        (lambda s: s.update(source="gap-mmlu-2042"), ("signposts.1.source", "unknown record")),
    ],
)
def test_bad_signpost_names_the_entry_and_field(tmp_path: Path, edit, expected) -> None:
    doc = yaml.safe_load((DATA / "signposts.yaml").read_text(encoding="utf-8"))
    edit(doc["signposts"][0])
    with pytest.raises(InputError) as exc:
        opts.load_signposts(_write(tmp_path, "signposts.yaml", doc), _known())
    for text in expected:
        assert text in str(exc.value), str(exc.value)


def test_an_options_modelled_effect_runs_on_the_same_draws() -> None:
    scenarios = load_scenarios(DATA / "scenarios.yaml")
    option = {"id": "calmer", "model": {"racing": {"enmity": {"shift": -0.3}}}}
    eff = opts.effect(scenarios["arms-race"], option, draws=5_000, seed=1)
    assert eff["disaster_after"] < eff["disaster_before"]  # less enmity, less risk
    assert eff["difference_p90"] <= 0  # paired draws: lower in (nearly) every draw
    changed = opts.apply(scenarios["arms-race"], option["model"])
    assert changed.ranges["racing"]["enmity"].low >= 1e-6  # kept inside the model's bounds
    assert opts.effect(scenarios["arms-race"], {"id": "x"}, draws=5_000, seed=1) is None


# --- the three real briefings -----------------------------------------------------------------


class _Prose(HTMLParser):
    """Sentences of prose (paragraphs, list items, captions), not headings, tables or sources."""

    SKIP: ClassVar[set[str]] = {
        "svg",
        "style",
        "script",
        "nav",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.buf: list[str] = []
        self.blocks: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        skip = tag in self.SKIP or "rb-source" in (dict(attrs).get("class") or "")
        self.stack.append(skip)
        if tag in {"p", "li", "figcaption", "div"}:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.stack.pop()
        if tag in {"p", "li", "figcaption", "div"}:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.buf.append(data)

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.buf)).strip()
        self.buf = []
        if text:
            self.blocks.append(text)


def sentences_before_methods(html: str) -> list[str]:
    body = html[html.index("<main") : html.index('id="methods"')]
    parser = _Prose()
    parser.feed(body)
    parser._flush()
    out = []
    for block in parser.blocks:
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"(*])", block):
            if len(s.split()) >= 4:
                out.append(s.strip())
    return out


def _html(reports: Path, name: str) -> str:
    return (reports / name / "v1" / f"{name}-v1.html").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_variants_share_at_most_half_their_sentences_with_the_baseline(
    real_reports: Path, variant: str
) -> None:
    base = set(sentences_before_methods(_html(real_reports, "baseline")))
    mine = sentences_before_methods(_html(real_reports, variant))
    shared = [s for s in mine if s in base]
    assert len(mine) > 60, "the measure reads the briefing's prose"
    assert len(shared) / len(mine) <= 0.5, f"{variant}: {len(shared)} of {len(mine)} shared"


@pytest.mark.slow
@pytest.mark.parametrize("name", ("baseline", *VARIANTS))
def test_summary_options_signposts_glossary_are_bookmarked(real_reports: Path, name: str) -> None:
    reader = PdfReader(real_reports / name / "v1" / f"{name}-v1.pdf")

    def titles(outline) -> list[str]:
        out = []
        for item in outline:
            out += titles(item) if isinstance(item, list) else [item.title]
        return out

    marks = " | ".join(titles(reader.outline))
    for wanted in (
        "Summary",
        "Key judgments",
        "What prompted this briefing",
        "Implications and options",
        "Signposts",
        "Glossary",
        "Suggested citation",
    ):
        assert wanted in marks, (wanted, marks)


@pytest.mark.slow
@pytest.mark.parametrize("name", ("baseline", *VARIANTS))
def test_summary_fits_on_one_page_and_comes_first(real_reports: Path, name: str) -> None:
    pages = pdftext.texts(real_reports / name / "v1" / f"{name}-v1.pdf")
    start = next(i for i, t in enumerate(pages) if "Bottom line." in t)
    assert start == 1, "the summary opens the briefing, right after the cover"
    assert "What to watch" in pages[start]
    assert "Contents" not in pages[start]


@pytest.mark.slow
@pytest.mark.parametrize("name", ("baseline", *VARIANTS))
def test_contents_list_every_heading_in_order(real_reports: Path, name: str) -> None:
    html = _html(real_reports, name)
    start = re.search(r'<nav[^>]*class="rb-toc"', html).start()
    toc = html[start : html.index("</nav>", start)]
    listed = re.findall(r'href="#([\w-]+)"', toc)
    main = html[html.index("<main") :]
    headings = [
        m for m in re.findall(r"<h[23] id=\"([\w-]+)\"", main) if m not in {"contents-heading"}
    ]
    assert listed == headings


@pytest.mark.slow
def test_audiences_get_their_own_content(real_reports: Path) -> None:
    base, arms, safe = (_html(real_reports, n) for n in ("baseline", *VARIANTS))
    assert "Crisis stability" in arms and "Crisis stability" not in base
    assert "On the table" in safe and "What to put on the table" in safe
    assert "What it means for policy staff" in base
    assert "What it means for negotiators" in safe
    # the risk picture is conditioned on each variant's scenario, for stated reasons
    assert "under the arms-race scenario" in arms and "under the safety-race scenario" in safe
    assert "How the arms race scenario shifts" in arms or "risk-shifts" in arms
    # every audience gets the global sensitivity chart
    for html in (base, arms, safe):
        assert 'id="scen-sobol"' in html and "Which assumptions matter" in html


@pytest.mark.slow
@pytest.mark.parametrize("name", ("baseline", *VARIANTS))
def test_prompt_reliability_and_citation(real_reports: Path, name: str) -> None:
    html = _html(real_reports, name)
    assert "What prompted this briefing" in html and "How far to rely on it" in html
    assert "secondary source" in html and "Admiralty" in html
    assert "Suggested citation" in html and f"{name}-v1.pdf" in html
    assert "riskbrief analysis team" in html
