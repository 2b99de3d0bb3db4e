"""Where a project's files live: a :class:`Project` value, passed to whatever needs it.

A project is the folder holding ``params/``, ``data/``, ``notebooks/``, ``docs/`` and
``requirements.lock``; ``reports/`` and ``build/`` are written there by default. Nothing is
fixed when this module is imported: :meth:`Project.default` reads ``RISKBRIEF_ROOT`` (or
falls back to the checkout the package was installed from) when it is called, and the CLI's
``--root`` option names a project explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
ROOT_ENV = "RISKBRIEF_ROOT"


@dataclass(frozen=True)
class Project:
    """A riskbrief project: its root and the folders derived from it."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root).resolve())

    @classmethod
    def default(cls) -> Project:
        """``RISKBRIEF_ROOT`` if set, else the checkout this package lives in (read now)."""
        return cls(Path(os.environ.get(ROOT_ENV) or PACKAGE_DIR.parents[1]))

    @property
    def params_dir(self) -> Path:
        return self.root / "params"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def lock_file(self) -> Path:
        return self.root / "requirements.lock"

    @property
    def assumptions_file(self) -> Path:
        return self.docs_dir / "assumptions.md"

    @property
    def glossary_file(self) -> Path:
        return self.docs_dir / "glossary.yaml"

    @property
    def source_article_file(self) -> Path:
        return self.data_dir / "source_article.yaml"

    def notebook(self, section: str) -> Path:
        return self.notebooks_dir / f"{section}.ipynb"

    def resolve(self, path: str | os.PathLike[str]) -> Path:
        """A path as written in a params file or a notebook: relative to the project root
        unless absolute."""
        p = Path(path)
        return p if p.is_absolute() else self.root / p

    def relative(self, path: str | os.PathLike[str]) -> str:
        """``path`` relative to the root (POSIX) when inside the project, else absolute."""
        p = Path(path).resolve()
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return str(p)

    def standalone_results(self, section: str) -> Path:
        """Where a notebook run on its own (JupyterLab, papermill by hand) writes its results:
        under ``build/``, never into the repository's tracked folders."""
        return self.build_dir / "notebooks" / "results" / f"{section}.json"


def display_path(path: str | os.PathLike[str], project: Project | None = None) -> str:
    """A path as a user should read it in a message: relative to the project root when
    inside it (the default project unless one is given), else as given."""
    p = Path(path)
    root = (project or Project.default()).root
    try:
        return str(p.resolve().relative_to(root))
    except ValueError:
        return str(p)
