from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from projects import make_project

ROOT = Path(__file__).parents[1]
#: The real briefings: one per params file.
BRIEFINGS = sorted(p.stem for p in (ROOT / "params").glob("*.yaml"))


@pytest.fixture
def demo_project(tmp_path: Path) -> Path:
    """A throw-away project with a 'demo' briefing (sections 'chart' and 'notes') and a failing 'boom' section."""
    return make_project(tmp_path / "project")


@pytest.fixture
def in_project(demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the demo project the default project (``RISKBRIEF_ROOT``) for in-process tests."""
    monkeypatch.setenv("RISKBRIEF_ROOT", str(demo_project))
    return demo_project


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every real briefing (params/*.yaml) built once per test run (per worker), into
    one temporary reports directory: the conformance, accessibility, layout and site tests
    read the same documents."""
    from riskbrief.build import build

    tmp = tmp_path_factory.mktemp("real-briefings")
    for name in BRIEFINGS:
        result = build(name, reports_dir=tmp / "reports", build_dir=tmp / "build")
        assert result.published, name
    return tmp / "reports"


@pytest.fixture(scope="session")
def public_site(reports: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public site exported from the real briefings (``riskbrief site``)."""
    from riskbrief import site

    return site.export(reports, tmp_path_factory.mktemp("site") / "site").out
