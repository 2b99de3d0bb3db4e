"""The briefings' typeface, from the project's dependencies rather than the machine's fonts.

Body text, headings and charts are set in **Atkinson Hyperlegible** (Braille Institute, SIL Open
Font License 1.1), a sans-serif drawn for readers with low vision: letters that are easily
confused (I l 1, O 0, b d p q) are told apart. It is installed by the
``fontpkg-atkinson-hyperlegible`` package, which ships the four static TrueType files (regular,
italic, bold, bold italic) with their licence and a ``metadata.json`` naming them.

What a briefing embeds (as ``data:`` URIs in ``@font-face`` rules, so the HTML stays one
self-contained file and WeasyPrint's fetcher, which refuses other URLs, can read them):

- the four Atkinson Hyperlegible faces, whole (about 340 glyphs each), recompressed as WOFF2:
  about 24 KB each;
- "Briefing Symbols": the glyphs Atkinson Hyperlegible lacks from the Greek, punctuation,
  arrow, mathematical-operator and geometric-shape blocks (→, σ, ′ …), subset from the
  DejaVu Sans that matplotlib ships: about 25 KB;
- "Briefing Mono": DejaVu Sans Mono (also shipped by matplotlib) subset to Latin-1 and common
  punctuation, for fingerprints and file names: about 12 KB.

About 170 KB of base64 in all. Charts use the same family: :func:`register_matplotlib` adds the
files to matplotlib's font manager, and charts keep their text as text in the SVG, so the HTML's
``@font-face`` rules (and WeasyPrint, for the PDF) set it.

If the font package is missing, :func:`font_face_css` warns and returns no rules: the CSS
font stacks fall back to DejaVu Sans and the system's sans-serif, and the briefing still renders.
"""

from __future__ import annotations

import base64
import functools
import importlib.resources
import io
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

#: The family name, as the font files and CSS spell it.
FAMILY = "Atkinson Hyperlegible"
#: The Python package that ships the font files (a declared dependency in pyproject.toml).
FONT_PACKAGE = "fontpkg_atkinson_hyperlegible"
#: Embedded fallbacks, named so they never shadow a font installed on the reader's machine.
SYMBOLS_FAMILY = "Briefing Symbols"
MONO_FAMILY = "Briefing Mono"

#: Unicode blocks the symbols fallback covers (where Atkinson Hyperlegible has no glyph).
_SYMBOL_BLOCKS = (
    (0x0370, 0x03FF),  # Greek
    (0x2000, 0x206F),  # general punctuation
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x25A0, 0x25FF),  # geometric shapes
)
#: Spaces every subset keeps.
_SPACES = (0x0020, 0x00A0)
#: What the monospace fallback covers: Basic Latin, Latin-1, general punctuation.
_MONO_BLOCKS = ((0x0020, 0x007E), (0x00A0, 0x00FF), (0x2010, 0x2027))


class FontWarning(UserWarning):
    """The briefing typeface is not installed; text falls back to other fonts."""


@dataclass(frozen=True)
class Face:
    """One font file of the family: its path, CSS weight and style."""

    path: Path
    weight: int
    style: str  # "normal" or "italic"


def faces() -> tuple[Face, ...]:
    """The installed Atkinson Hyperlegible files, from the font package's own metadata.

    Raises ``ModuleNotFoundError`` when the package is not installed and ``FileNotFoundError``
    when a file its metadata names is missing.
    """
    root = importlib.resources.files(FONT_PACKAGE)
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    out = []
    for entry in meta["files"]:
        path = Path(str(root.joinpath(*entry["path"].split("/"))))
        if not path.is_file():
            raise FileNotFoundError(f"{FONT_PACKAGE} names {entry['path']}, which is missing")
        out.append(Face(path, int(entry["weight"]), entry.get("style", "normal")))
    return tuple(sorted(out, key=lambda f: (f.style != "normal", f.weight)))


def licence_path() -> Path:
    """The font's licence (SIL OFL 1.1), as shipped with the font files."""
    return Path(str(importlib.resources.files(FONT_PACKAGE) / "LICENSE"))


def _matplotlib_font(name: str) -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def _woff2(data: bytes) -> tuple[bytes, str]:
    """The font recompressed as WOFF2 (needs brotli, which WeasyPrint's fontTools extra brings);
    the TrueType bytes unchanged where brotli is missing."""
    from fontTools.ttLib import TTFont

    try:
        import brotli  # noqa: F401
    except ImportError:
        return data, "truetype"
    # recalcTimestamp=False: the same font gives the same bytes, so builds stay reproducible
    with TTFont(io.BytesIO(data), recalcTimestamp=False) as font:
        font.flavor = "woff2"
        buf = io.BytesIO()
        font.save(buf)
    return buf.getvalue(), "woff2"


def _subset(path: Path, blocks: tuple[tuple[int, int], ...], *, exclude: set[int]) -> bytes:
    """The glyphs of ``path`` in ``blocks`` (less ``exclude``) and its spaces, without hinting,
    as TrueType."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    with TTFont(path, recalcTimestamp=False) as font:
        cmap = set(font.getBestCmap())
        wanted = [
            c for lo, hi in blocks for c in range(lo, hi + 1) if c in cmap and c not in exclude
        ]
        # with no space of its own, a run in the subset font loses its text in the PDF
        wanted += [c for c in _SPACES if c in cmap and c not in wanted]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=wanted)
        subsetter.subset(font)
        buf = io.BytesIO()
        font.save(buf)
    return buf.getvalue()


def _rule(family: str, data: bytes, *, weight: int = 400, style: str = "normal") -> str:
    payload, fmt = _woff2(data)
    mime = "font/woff2" if fmt == "woff2" else "font/ttf"
    uri = f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"
    return (
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
        f'font-display: swap; src: url({uri}) format("{fmt}"); }}'
    )


def covered(path: Path) -> set[int]:
    """The code points a font file has glyphs for."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return set(font.getBestCmap())


@functools.lru_cache(maxsize=1)
def font_face_css() -> str:
    """``@font-face`` rules embedding the typeface and its two fallbacks as ``data:`` URIs.

    Subsetting and recompressing take over a second, so the rules are kept in the user's cache
    folder (``$XDG_CACHE_HOME/riskbrief``, else ``~/.cache/riskbrief``), named by a digest of
    every input: the font files, this module and the fontTools and brotli versions. The same
    inputs always give the same bytes, so a kept copy is what computing them again would give;
    where the folder cannot be written, they are computed each time."""
    try:
        key = _font_css_key()
    except (ModuleNotFoundError, FileNotFoundError):
        return _build_font_face_css()  # it warns and falls back
    kept = _cache_dir() / f"font-face-{key}.css"
    try:
        return kept.read_text(encoding="utf-8")
    except OSError:
        pass
    css = _build_font_face_css()
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_name(f"{kept.name}.{os.getpid()}.tmp")
        tmp.write_text(css, encoding="utf-8")
        tmp.replace(kept)
    except OSError:
        pass
    return css


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "riskbrief"


def _font_css_key() -> str:
    """A digest of everything :func:`_build_font_face_css` reads."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    files = [f.path for f in faces()]
    files += [_matplotlib_font("DejaVuSans.ttf"), _matplotlib_font("DejaVuSansMono.ttf")]
    files.append(Path(__file__))
    for path in files:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for dist in ("fonttools", "brotli"):
        try:
            h.update(f"{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(f"{dist}=none".encode())
    return h.hexdigest()[:32]


def _build_font_face_css() -> str:
    try:
        family = faces()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        warnings.warn(
            f"the briefing typeface {FAMILY} is not installed ({exc}); text falls back to "
            f"DejaVu Sans or the system's sans-serif. Install it with "
            f"'pip install fontpkg-atkinson-hyperlegible' (a dependency in pyproject.toml).",
            FontWarning,
            stacklevel=2,
        )
        return "/* riskbrief: Atkinson Hyperlegible not installed; system fonts used */\n"
    rules = [f"/* {FAMILY} (SIL OFL 1.1) and fallbacks from matplotlib's DejaVu fonts */"]
    rules += [_rule(FAMILY, f.path.read_bytes(), weight=f.weight, style=f.style) for f in family]
    regular = next(f for f in family if f.weight == 400 and f.style == "normal")
    have = covered(regular.path)
    rules.append(
        _rule(
            SYMBOLS_FAMILY,
            _subset(_matplotlib_font("DejaVuSans.ttf"), _SYMBOL_BLOCKS, exclude=have),
        )
    )
    rules.append(
        _rule(
            MONO_FAMILY,
            _subset(_matplotlib_font("DejaVuSansMono.ttf"), _MONO_BLOCKS, exclude=set()),
        )
    )
    return "\n".join(rules) + "\n"


def register_matplotlib() -> bool:
    """Add the family's files to matplotlib's font manager (once); False if not installed."""
    from matplotlib import font_manager

    try:
        family = faces()
    except (ModuleNotFoundError, FileNotFoundError):
        return False
    known = {Path(f.fname).resolve() for f in font_manager.fontManager.ttflist}
    for face in family:
        if face.path.resolve() not in known:
            font_manager.fontManager.addfont(str(face.path))
    return True
