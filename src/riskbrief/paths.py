"""Where the project's files live, derived from this file's location (never the working directory)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The project root: the folder holding ``pyproject.toml``, ``params/``, ``data/`` and ``notebooks/``.
#: ``RISKBRIEF_ROOT`` overrides it (used by tests that build from a copied tree).
ROOT = Path(os.environ.get("RISKBRIEF_ROOT") or PACKAGE_DIR.parents[1]).resolve()

PARAMS_DIR = ROOT / "params"
DATA_DIR = ROOT / "data"
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"
BUILD_DIR = ROOT / "build"
DOCS_DIR = ROOT / "docs"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
LOCK_FILE = ROOT / "requirements.lock"


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as a user should read it in a message: relative to the project root when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)
