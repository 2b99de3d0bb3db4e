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
    """Make the demo project the default project (``RISKBRIEF_ROOT``) for in-process tests."""
    monkeypatch.setenv("RISKBRIEF_ROOT", str(demo_project))
    return demo_project
