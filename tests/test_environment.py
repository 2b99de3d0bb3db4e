"""The project's own files describe one environment: pyproject, the lock file and environment.yml agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).parents[1]
CONDA_ONLY = {"python", "pip", "quarto"}


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [*data["dependencies"], *data["optional-dependencies"]["dev"]]
    return {Requirement(r).name.lower(): str(Requirement(r).specifier) for r in reqs}


def _conda() -> dict[str, str]:
    """Every package environment.yml installs, from conda-forge or (where conda-forge has no
    such package) from PyPI through its ``pip:`` section; pip options and the project itself
    are left out."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip = [r for r in dep.get("pip", []) if not r.startswith("-")]
            for r in pip:
                req = Requirement(r)
                out[req.name.lower()] = str(req.specifier)
            continue
        m = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", dep)
        assert m, dep
        out[m.group(1).lower()] = m.group(2).replace(" ", "")
    return out


def _normalise(spec: str) -> set[str]:
    return {s.strip() for s in spec.split(",") if s.strip()}


def test_environment_yml_has_the_same_packages_as_pyproject() -> None:
    py, conda = _pyproject(), _conda()
    assert set(py) == set(conda) - CONDA_ONLY
    for name, spec in py.items():
        assert _normalise(spec) == _normalise(conda[name]), (
            f"{name}: pyproject {spec!r} vs environment.yml {conda[name]!r}"
        )


def test_environment_yml_offers_quarto() -> None:
    assert "quarto" in _conda()


def test_environment_yml_installs_the_typeface() -> None:
    # the briefings' font comes from PyPI in the conda environment too (conda-forge lacks it)
    assert "fontpkg-atkinson-hyperlegible" in _conda()


def test_lock_file_pins_every_dependency_within_its_range() -> None:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    for name, spec in _pyproject().items():
        key = name.replace("_", "-")
        assert key in pins, f"{name} is not pinned in requirements.lock (run 'make lock')"
        assert Requirement(f"{name}{spec}").specifier.contains(pins[key], prereleases=True), (
            f"{name}=={pins[key]} outside {spec}"
        )
