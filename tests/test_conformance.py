"""Every published file conforms: each HTML file (every briefing, the reports index, any
other page under reports/, and every page of the public site) is valid HTML with no error from
the Nu Html Checker, and each PDF passes qpdf's check, is tagged, and gives every figure its
alternative text.

The three real briefings are built once per test run, into a temporary reports directory
(the ``real_reports`` fixture of conftest.py), and the public site exported from them;
the checker runs once over every HTML file (one JVM start). The checker is the W3C's own vnu.jar,
pinned in ``tools/vnu/package-lock.json`` and installed from the npm registry by ``make test``;
it needs Java, which the project's Python dependencies cannot install. Without ``java`` on PATH,
or without the checker (no npm), that test is skipped with the reason; the checks that need no
Java still run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pikepdf
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[1]
BRIEFINGS = sorted(p.stem for p in (ROOT / "params").glob("*.yaml"))

VNU_JAR = ROOT / "tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA_MISSING = (
    "the Nu Html Checker (vnu.jar) needs Java and 'java' is not on PATH: install a Java runtime "
    "(Debian: apt-get install default-jre-headless)"
)
VNU_MISSING = (
    f"the Nu Html Checker is not installed at {VNU_JAR.relative_to(ROOT)}: 'make test' installs it "
    "with npm from tools/vnu/package-lock.json (install Node.js and npm, e.g. Debian: apt-get "
    "install npm)"
)

#: A document with the two kinds of error the briefings used to have, checked in the same run
#: as the published files: proof that the checker ran, read every file and reports what it must.
CONTROL = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>control</title></head><body>
<svg viewBox="0 0 1 1"><metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
</rdf:RDF></metadata><g id="figure_1"></g></svg>
<svg viewBox="0 0 1 1"><g id="figure_1"></g></svg>
</body></html>
"""


@pytest.fixture(scope="session")
def reports(real_reports: Path) -> Path:
    """Every real briefing (params/*.yaml), built once per test run (tests/conftest.py)."""
    assert set(BRIEFINGS) <= {p.name for p in real_reports.iterdir() if p.is_dir()}
    return real_reports


def published_html(reports_dir: Path) -> list[Path]:
    """Every HTML file published under ``reports_dir``, once each (a file reached through a
    ``latest`` link is the version's own): the index, every version's briefing, and whatever
    else is published as HTML there (a ``latest.html``, a site export)."""
    return sorted({p.resolve() for p in reports_dir.glob("**/*.html")})


def published_pdfs(reports_dir: Path) -> list[Path]:
    return sorted({p.resolve() for p in reports_dir.glob("**/*.pdf")})


def test_the_published_files_are_all_found(reports: Path, public_site: Path) -> None:
    html = published_html(reports)
    expected = {(reports / "index.html").resolve()} | {
        (reports / name / "v1" / f"{name}-v1.html").resolve() for name in BRIEFINGS
    }
    assert expected <= set(html)
    assert (public_site / "index.html").resolve() in published_html(public_site)
    assert len(published_html(public_site)) >= 2  # the index and at least one briefing
    assert len(BRIEFINGS) >= 3
    assert {p.name for p in published_pdfs(reports)} == {f"{name}-v1.pdf" for name in BRIEFINGS}


# ---------------------------------------------------------------------------------------------
# HTML


@pytest.fixture
def java() -> str:
    """The Java runtime that runs the checker; the test is skipped, saying why, without one."""
    exe = shutil.which("java")
    if not exe:
        pytest.skip(JAVA_MISSING)
    if not VNU_JAR.is_file():
        pytest.skip(VNU_MISSING)
    return exe


def nu_check(java: str, files: list[Path]) -> dict[Path, list[dict]]:
    """Run the Nu Html Checker once over ``files``; its messages (errors only) by file.

    The checker reads local files and needs no network; Java runs it directly, for its JSON
    report."""
    jar = VNU_JAR
    options = ["--errors-only", "--format", "json", "--stdout", "--exit-zero-always"]
    proc = subprocess.run(
        [java, "-jar", str(jar), *options, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise AssertionError(
            f"the checker gave no JSON report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        ) from None
    by_file: dict[Path, list[dict]] = {f.resolve(): [] for f in files}
    for m in report["messages"]:
        path = Path(unquote(urlparse(m.get("url", "")).path)).resolve()
        by_file.setdefault(path, []).append(m)
    return by_file


def _describe(path: Path, messages: list[dict]) -> str:
    counts = Counter(m.get("message", "") for m in messages)
    lines = [f"{path.name}: {len(messages)} errors"]
    lines += [f"  {n} × {msg}" for msg, n in counts.most_common(20)]
    first = messages[0]
    lines.append(f"  first at line {first.get('lastLine')}: {first.get('extract', '')!r}")
    return "\n".join(lines)


def test_every_published_html_file_is_valid_html(
    java: str, reports: Path, public_site: Path, tmp_path: Path
) -> None:
    files = published_html(reports) + published_html(public_site)
    control = tmp_path / "control.html"
    control.write_text(CONTROL, encoding="utf-8")
    found = nu_check(java, [control, *files])
    caught = " ".join(m.get("message", "") for m in found.pop(control.resolve()))
    assert "Duplicate ID" in caught and "rdf:rdf" in caught.lower(), caught
    assert set(found) == set(files)  # the report speaks of no other file
    problems = [_describe(p, msgs) for p, msgs in found.items() if msgs]
    assert not problems, "the Nu Html Checker finds errors:\n" + "\n".join(problems)


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.figure_alts: list[str] = []
        self._in_figure = False

    def handle_starttag(self, tag: str, attrs_list) -> None:
        attrs = dict(attrs_list)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "figure" and "rb-figure" in (attrs.get("class") or "").split():
            self._in_figure = True
        elif self._in_figure and attrs.get("role") == "img":
            self.figure_alts.append(attrs.get("aria-label") or "")
            self._in_figure = False


def _page(path: Path) -> _Ids:
    page = _Ids()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def test_no_id_repeats_in_any_published_html_file(reports: Path, public_site: Path) -> None:
    # the checker's best-known error, checked without Java too
    repeated = {}
    for path in published_html(reports) + published_html(public_site):
        counts = Counter(_page(path).ids)
        if dupes := sorted(i for i, n in counts.items() if n > 1):
            repeated[path.name] = dupes[:10]
    assert not repeated, repeated


# ---------------------------------------------------------------------------------------------
# PDF


def _figure_alts(pdf: pikepdf.Pdf) -> list[str]:
    """The /Alt of every Figure in the structure tree, in document order."""
    alts: list[str] = []

    def walk(node: pikepdf.Object) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == pikepdf.Name.Figure:
                alts.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node["/K"])

    walk(pdf.Root.StructTreeRoot)
    return alts


def test_every_pdf_passes_qpdf_check_is_tagged_and_keeps_alt_text(reports: Path) -> None:
    pdfs = published_pdfs(reports)
    assert len(pdfs) == len(BRIEFINGS)
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            # what `qpdf --check` reports (pikepdf runs the same checks through libqpdf)
            assert pdf.check_pdf_syntax() == [], path.name
            assert bool(pdf.Root.MarkInfo.Marked), f"{path.name} is not tagged"
            assert "/StructTreeRoot" in pdf.Root, path.name
            alts = _figure_alts(pdf)
        html_alts = _page(path.with_suffix(".html")).figure_alts
        assert len(html_alts) >= 5, path.name
        assert alts == html_alts, f"{path.name}: the PDF's figure alt texts differ from the HTML's"
