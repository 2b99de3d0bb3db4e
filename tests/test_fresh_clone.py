"""A fresh clone, set up as the README says, builds briefings that say "no uncommitted changes",
and leaves `git status` clean — after the build, after notebooks are run on their own, and
after a notebook is saved with its outputs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from projects import small_draws

REPO = Path(__file__).parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def venv_setup_lines() -> list[str]:
    """The recipe lines of the Makefile's environment target (what set-up runs)."""
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^\$\(VENV_STAMP\):.*\n((?:\t.*\n)+)", text, re.M)
    assert recipe, "the Makefile has no $(VENV_STAMP) recipe"
    return recipe.group(1).splitlines()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_are_what_the_git_filter_writes(path: Path) -> None:
    """nbstripout (the filter set-up installs) leaves every committed notebook byte for byte
    as it is: a fresh clone does not see them as modified."""
    from nbstripout import strip_output

    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    stripped = strip_output(nb, keep_output=False, keep_count=False, keep_id=False)
    out = nbformat.writes(stripped) + "\n"  # nbstripout's own writer adds the final newline
    assert out == path.read_text(encoding="utf-8"), (
        f"{path.name} is not what nbstripout writes: run it through nbstripout and commit"
    )


def test_set_up_installs_the_filter_and_says_what_it_does() -> None:
    lines = venv_setup_lines()
    assert any("nbstripout --install" in ln for ln in lines)
    assert sum("echo" in ln for ln in lines) >= 4, "the first run should say what it is doing"


@pytest.mark.slow
def test_fresh_clone_builds_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(REPO), str(clone))
    # set-up as the Makefile's environment recipe does it, with the tested .venv (no network)
    (clone / ".venv").symlink_to(Path(sys.executable).parents[1])
    assert any("$(VENV)/bin/nbstripout --install" in ln for ln in venv_setup_lines())
    subprocess.run(
        [str(clone / ".venv" / "bin" / "nbstripout"), "--install"], cwd=clone, check=True
    )
    assert "nbstripout" in git(clone, "config", "filter.nbstripout.clean")
    # every tracked file re-read through the filter, as git does when a file looks touched
    for nb in (clone / "notebooks").glob("*.ipynb"):
        os.utime(nb, (1, 1))
    assert git(clone, "status", "--porcelain") == ""
    # one briefing (every section) with small draws keeps the test quick: committed in the
    # clone, so its tree stays clean
    git(clone, "rm", "--quiet", "params/arms-race.yaml", "params/safety-race.yaml")
    for params in (clone / "params").glob("*.yaml"):
        text = params.read_text(encoding="utf-8")
        text = small_draws(text.replace("draws: 10000", "draws: 100"))
        params.write_text(text, encoding="utf-8")
    git(
        clone,
        "-c",
        "user.name=Tests",
        "-c",
        "user.email=tests@example.org",
        "commit",
        "--quiet",
        "-am",
        "Small draws for the test",
    )
    assert git(clone, "status", "--porcelain") == ""

    env = {**os.environ, "RISKBRIEF_ROOT": str(clone)}
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "briefings"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(clone, "status", "--porcelain") == ""
    head = git(clone, "rev-parse", "HEAD").strip()
    for name in ("baseline",):
        manifest = json.loads((clone / "reports" / name / "latest" / "manifest.json").read_text())
        assert manifest["git"] == {"commit": head, "dirty": False}, name
        html = (clone / "reports" / name / "latest.html").read_text(encoding="utf-8")
        assert "uncommitted changes" not in html and head[:12] in html

    # a notebook run on its own writes its results under build/: the tree stays clean
    import papermill

    from riskbrief.provenance import git_state

    monkeypatch.setenv("RISKBRIEF_ROOT", str(clone))  # the kernel's project, as make lab sets it
    source = clone / "notebooks" / "context.ipynb"
    ran = clone / "build" / "standalone" / "context.ipynb"
    ran.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(source), str(ran), kernel_name="python3", cwd=str(source.parent), progress_bar=False
    )
    assert (clone / "build" / "notebooks" / "results" / "context.json").is_file()
    assert not (clone / "notebooks" / "results").exists()
    assert git(clone, "status", "--porcelain") == ""

    # saved with its outputs, the notebook is no change to commit (the filter strips them), and
    # a build would not call the tree dirty
    executed = {c.id: c for c in nbformat.read(ran, as_version=4).cells}
    saved = nbformat.read(source, as_version=4)
    for i, cell in enumerate(saved.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = executed[cell.id].outputs, i
    nbformat.write(saved, source)
    assert git(clone, "diff", "HEAD", "--stat") == ""
    assert git_state(clone) == {"commit": head, "dirty": False}
    source.write_text(source.read_text(encoding="utf-8").replace("Stanford", "Stanford's"))
    assert git_state(clone)["dirty"] is True
