"""Rendering an assembled briefing notebook to HTML and PDF.

Renderers are registered by name (as papermill registers engines):

- ``nbconvert`` (default): HTML through nbconvert with the project's own exporter and
  template (``jupyter nbconvert --to riskbrief`` uses the same exporter), then PDF from that
  HTML with WeasyPrint and print CSS. No Quarto, no LaTeX, no browser.
- ``quarto``: ``quarto render`` of the same, already-executed document to self-contained
  HTML and a Typst PDF, when a ``quarto`` executable is on PATH.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mistune
import nbformat
from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from traitlets import default

from riskbrief import fonts, paths
from riskbrief.errors import BuildError

# ---------------------------------------------------------------------------------------------
# Markdown: headings keep the ids the assembler gave them ("## Title {#id}").

_ID_SUFFIX = re.compile(r"\s*\{#([A-Za-z][\w-]*)\}\s*$")


class _Renderer(mistune.HTMLRenderer):
    def heading(self, text: str, level: int, **attrs: Any) -> str:
        m = _ID_SUFFIX.search(text)
        if m:
            text = text[: m.start()]
            return f'<h{level} id="{m.group(1)}">{text}</h{level}>\n'
        return f"<h{level}>{text}</h{level}>\n"

    def table_cell(self, text: str, align: str | None = None, head: bool = False) -> str:
        style = f' style="text-align:{align}"' if align else ""
        if head:
            return f'  <th scope="col"{style}>{text}</th>\n'
        return f"  <td{style}>{text}</td>\n"


_markdown = mistune.create_markdown(
    renderer=_Renderer(escape=False), plugins=["table", "strikethrough"]
)


def markdown_to_html(source: str) -> str:
    return _markdown(source)


def css_string(value: object) -> str:
    """A value made safe inside a CSS string literal."""
    s = str(value)
    return re.sub(
        r'[\\"\n\r]', lambda m: {"\\": "\\\\", '"': '\\"', "\n": "\\A ", "\r": ""}[m.group()], s
    )


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def svg_titled(svg: str, text: object) -> str:
    """The SVG with ``text`` as its first ``<title>``: the figure's alternative text in the
    tagged PDF (WeasyPrint takes a Figure's /Alt from it)."""
    m = _SVG_OPEN.search(svg)
    if not m or not str(text).strip():
        return svg
    return f"{svg[: m.end()]}<title>{html.escape(str(text))}</title>{svg[m.end() :]}"


# ---------------------------------------------------------------------------------------------
# nbconvert exporter (registered as the "riskbrief" exporter in pyproject.toml)


class BriefingHTMLExporter(HTMLExporter):
    """Self-contained briefing HTML: no code, no prompts, no scripts, no external resources."""

    export_from_notebook = "riskbrief briefing"

    @default("template_name")
    def _template_name_default(self) -> str:
        return "riskbrief"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(paths.TEMPLATES_DIR)]

    @default("exclude_input")
    def _exclude_input_default(self) -> bool:
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self) -> bool:
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self) -> bool:
        return True

    @default("embed_images")
    def _embed_images_default(self) -> bool:
        return True

    @pass_context
    def markdown2html(self, context: Any, source: str) -> str:
        return markdown_to_html(source)

    def default_filters(self):
        yield from super().default_filters()
        yield ("css_string", css_string)
        yield ("svg_titled", svg_titled)

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = dict(resources or {})
        resources["riskbrief_css"] = fonts.font_face_css() + (
            paths.STATIC_DIR / "briefing.css"
        ).read_text(encoding="utf-8")
        body, resources = super().from_notebook_node(nb, resources, **kw)
        return body, resources


def notebook_to_html(nb: nbformat.NotebookNode) -> str:
    body, _ = BriefingHTMLExporter().from_notebook_node(nb)
    return body


# ---------------------------------------------------------------------------------------------
# PDF with WeasyPrint


def _url_fetcher(allowed_dir: Path):
    """A URL fetcher that refuses anything outside ``allowed_dir`` (and every network URL)."""
    from weasyprint.urls import URLFetcher

    root = allowed_dir.resolve()

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                from urllib.parse import unquote, urlparse

                target = Path(unquote(urlparse(url).path)).resolve()
                if target == root or root in target.parents:
                    return super().fetch(url, headers)
            raise ValueError(
                f"riskbrief does not fetch resources outside the build directory: {url}"
            )

    return LocalOnlyFetcher()


def html_to_pdf(html_text: str, pdf_path: Path, *, base_dir: Path, identifier: str) -> None:
    import logging
    import warnings

    with warnings.catch_warnings():
        # Advice to install HarfBuzz's subsetting library; without it fonts are embedded whole.
        warnings.filterwarnings("ignore", "HarfBuzz-Subset will be required", DeprecationWarning)
        from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    doc = HTML(
        string=html_text, base_url=str(base_dir.resolve()) + "/", url_fetcher=_url_fetcher(base_dir)
    )
    doc.write_pdf(
        str(pdf_path),
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
        pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
        custom_metadata=False,
    )


# ---------------------------------------------------------------------------------------------
# Renderers


@dataclass(frozen=True)
class Rendered:
    html: Path
    pdf: Path
    #: seconds per step ("html", "pdf"), for the benchmark
    timings: dict[str, float] = field(default_factory=dict)


RenderFn = Callable[[nbformat.NotebookNode, Path, str], Rendered]


def render_nbconvert(nb: nbformat.NotebookNode, out_dir: Path, stem: str) -> Rendered:
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    html_text = notebook_to_html(nb)
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(html_text, encoding="utf-8")
    t1 = time.perf_counter()
    pdf_path = out_dir / f"{stem}.pdf"
    fp = nb.metadata.get("riskbrief", {}).get("provenance", {}).get("fingerprint", stem)
    html_to_pdf(html_text, pdf_path, base_dir=out_dir, identifier=f"{stem}:{fp}")
    return Rendered(html_path, pdf_path, {"html": t1 - t0, "pdf": time.perf_counter() - t1})


QUARTO_MISSING = (
    "RENDERER=quarto needs the 'quarto' executable on PATH, and none was found. Install it with "
    "'pip install quarto-cli' (its install downloads Quarto from GitHub, so it needs access there), "
    "or with conda: 'conda env create -f environment.yml' includes conda-forge's 'quarto'. "
    "The default renderer (RENDERER=nbconvert) needs neither."
)


def quarto_executable() -> str:
    exe = shutil.which("quarto")
    if not exe:
        raise BuildError(QUARTO_MISSING)
    return exe


def quarto_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The assembled briefing for Quarto: front matter from the cover, captions and sources as
    Markdown after each figure and table (Quarto does not read riskbrief's output metadata)."""
    from nbformat.v4 import new_markdown_cell, new_raw_cell

    rb = nb.metadata.get("riskbrief", {})
    qnb = nbformat.from_dict(nbformat.v4.new_notebook(metadata=dict(nb.metadata)))
    title = rb.get("title", "Briefing")
    version = rb.get("version")
    subtitle = rb.get("subtitle", "")
    front = [
        "---",
        f"title: {_yaml_str(title)}",
        f"subtitle: {_yaml_str(subtitle)}",
        f"date: {_yaml_str(rb.get('as_of', ''))}",
        f"author: {_yaml_str(rb.get('issued_by', ''))}",
        "lang: en",
        "toc: true",
        "number-sections: true",
        "execute:",
        "  enabled: false",
        "format:",
        "  html:",
        "    embed-resources: true",
        "    code-fold: false",
        "    echo: false",
        f"    include-before-body: {{text: {_yaml_str(_classification_banner(rb))}}}",
        "  typst:",
        "    papersize: a4",
        "    echo: false",
        "---",
    ]
    cells = [new_raw_cell("\n".join(front))]
    if version:
        cells.append(
            new_markdown_cell(
                f"**Edition v{version}**"
                + (
                    f" — supersedes v{rb['supersedes']}"
                    if rb.get("supersedes")
                    else " — first edition"
                )
                + f" · {rb.get('classification', '')}"
            )
        )
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get(
            "tags", []
        ) or "parameters" in cell.metadata.get("tags", []):
            continue
        cells.append(cell)
        for o in cell.get("outputs", []):
            meta = o.get("metadata", {}).get("riskbrief")
            if meta and meta.get("kind") in {"figure", "table"}:
                label = "Figure" if meta["kind"] == "figure" else "Table"
                cells.append(
                    new_markdown_cell(
                        f"*{label} {meta.get('number', '')}. {meta['caption']}*  \nSource: {meta['source']}"
                        + (
                            f" [{', '.join(str(n) for n in meta['refs'])}]"
                            if meta.get("refs")
                            else ""
                        )
                    )
                )
    qnb.cells = cells
    return qnb


def _yaml_str(value: object) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _classification_banner(rb: dict[str, Any]) -> str:
    c = rb.get("classification")
    return f'<div class="rb-banner">{html.escape(c)}</div>' if c else ""


def render_quarto(nb: nbformat.NotebookNode, out_dir: Path, stem: str) -> Rendered:
    exe = quarto_executable()
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / "quarto"
    work.mkdir(exist_ok=True)
    src = work / f"{stem}.ipynb"
    nbformat.write(quarto_notebook(nb), src)
    for fmt, suffix in (("html", ".html"), ("typst", ".pdf")):
        proc = subprocess.run(
            [exe, "render", src.name, "--to", fmt, "--no-execute"],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise BuildError(f"quarto render --to {fmt} failed:\n{proc.stderr.strip()[-2000:]}")
        produced = work / f"{stem}{suffix}"
        if not produced.exists():
            raise BuildError(f"quarto render --to {fmt} did not produce {produced.name}")
        shutil.copyfile(produced, out_dir / f"{stem}{suffix}")
    return Rendered(out_dir / f"{stem}.html", out_dir / f"{stem}.pdf")


RENDERERS: dict[str, RenderFn] = {"nbconvert": render_nbconvert, "quarto": render_quarto}


def get_renderer(name: str) -> RenderFn:
    try:
        fn = RENDERERS[name]
    except KeyError:
        raise BuildError(f"unknown renderer '{name}' (available: {', '.join(RENDERERS)})") from None
    if name == "quarto":
        quarto_executable()  # fail before any kernel starts
    return fn


def renderer_version(name: str) -> str:
    if name == "quarto":
        exe = shutil.which("quarto")
        if exe:
            out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
            return f"quarto {out.stdout.strip()}"
        return "quarto (not found)"
    from importlib.metadata import version

    return f"nbconvert {version('nbconvert')} + weasyprint {version('weasyprint')}"
