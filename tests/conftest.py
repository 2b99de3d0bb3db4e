from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from projects import make_project


@pytest.fixture
def demo_project(tmp_path: Path) -> Path:
    """A throw-away project with a 'demo' briefing (sections 'chart' and 'notes') and a failing 'boom' section."""
    return make_project(tmp_path / "project")


@pytest.fixture
def in_project(demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the package's paths at the demo project for in-process tests."""
    from riskbrief import paths

    monkeypatch.setattr(paths, "ROOT", demo_project)
    monkeypatch.setattr(paths, "PARAMS_DIR", demo_project / "params")
    monkeypatch.setattr(paths, "DATA_DIR", demo_project / "data")
    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", demo_project / "notebooks")
    monkeypatch.setattr(paths, "REPORTS_DIR", demo_project / "reports")
    monkeypatch.setattr(paths, "BUILD_DIR", demo_project / "build")
    return demo_project
