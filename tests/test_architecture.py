"""The package's shape: no import circles, no oversized modules, make dependencies from the
input list, and the "add a section" example of docs/architecture.md, followed step by step."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from projects import COMMON, make_project, notebook, write_params

from riskbrief import diff, inputs, sections
from riskbrief.build import build
from riskbrief.errors import InputError
from riskbrief.paths import Project

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "src" / "riskbrief"
MAX_LINES = 600


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """Module → the riskbrief modules it imports at module level (not inside functions)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("riskbrief"):
                    for alias in node.names:
                        full = f"{node.module}.{alias.name}"
                        deps.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("riskbrief")}
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def test_no_import_circle() -> None:
    graph = _imports()
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                pytest.fail("import circle: " + " -> ".join([*stack[stack.index(dep) :], dep]))
            if dep not in state:
                visit(dep, [*stack, dep])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_no_module_over_600_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def test_make_dependencies_are_the_input_list() -> None:
    """Every project file the fingerprint hashes is a make prerequisite (the assumptions log
    included), and nothing else."""
    out = subprocess.run(
        [str(Path(sys.executable).parent / "riskbrief"), "--root", str(ROOT), "deps"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rules = {line.split(".stamp:")[0].rsplit("/", 1)[-1]: line for line in out.splitlines()}
    project = Project(ROOT)
    for name in ("baseline", "arms-race", "safety-race"):
        b = sections.load(name, project, check_inputs=False)
        listed = {i.name for i in inputs.briefing_inputs(b) if i.kind not in ("package", "lock")}
        prerequisites = set(rules[name].split(": ", 1)[1].split())
        assert prerequisites == listed, name
        assert "docs/assumptions.md" in prerequisites


def test_listing_make_dependencies_imports_no_table_library() -> None:
    """Every make run asks ``riskbrief deps`` for the dependency list first: it reads params
    and the section registry, and leaves pandas (half a second to import) to the commands
    that read tables."""
    code = (
        "import sys; from riskbrief import inputs, sections, cli; "
        "assert 'pandas' not in sys.modules, 'pandas imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- the worked example of docs/architecture.md -------------------------------------------------

LOADER = """
from riskbrief.errors import Problems
from riskbrief.readers import integers, read_table


def load_incidents(path):
    frame = read_table(path, ("year", "incidents"))
    problems = Problems(path)
    years = integers(frame, "year", problems, 1950, 2100)
    counts = integers(frame, "incidents", problems, 0, 10**6)
    problems.raise_if_any()
    return frame.assign(year=years.astype(int), incidents=counts.astype(int))
"""


@pytest.fixture
def incidents_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = make_project(tmp_path / "project")
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "incidents_example.py").write_text(textwrap.dedent(LOADER), encoding="utf-8")
    monkeypatch.syspath_prepend(str(lib))
    monkeypatch.setenv("PYTHONPATH", str(lib))  # for the notebook's kernel
    monkeypatch.setenv("RISKBRIEF_ROOT", str(root))
    (root / "data" / "incidents.csv").write_text("year,incidents\n2024,3\n2025,4\n", "utf-8")
    notebook(
        root / "notebooks" / "incidents.ipynb",
        "## Incidents",
        COMMON.replace('results_path = "results/demo.json"', "results_path = None")
        + 'incidents_path = "data/incidents.csv"\n',
        [
            """
            from riskbrief.display import show_markdown
            from incidents_example import load_incidents
            from riskbrief.paths import Project
            from riskbrief.results import write_results

            project = Project.default()
            incidents = load_incidents(project.resolve(incidents_path))
            total = int(incidents["incidents"].sum())
            show_markdown(f"{total} incidents were reported.")
            write_results(results_path or project.standalone_results("incidents"),
                          section="incidents", headline={"total": total})
            """
        ],
    )
    write_params(root, "demo", sections="[incidents, notes]")
    sections.register(
        sections.Section(
            "incidents",
            "AI incidents per year",
            data=(
                sections.DataFile(
                    "incidents",
                    "data/incidents.csv",
                    "incidents_path",
                    "incidents_example:load_incidents",
                ),
            ),
            comparables=(
                sections.Comparable("Incidents", "headline.total", "incidents in the file"),
            ),
        )
    )
    yield root
    sections.unregister("incidents")


@pytest.mark.slow
def test_adding_a_section_is_a_notebook_and_a_spec(incidents_project: Path) -> None:
    root = incidents_project
    project = Project(root)
    b = sections.load("demo", project)
    assert b.data_path("incidents") == root / "data" / "incidents.csv"
    assert "data/incidents.csv" in inputs.make_rule(b, "x")

    first = build("demo", project=project)
    html = (first.version_dir / "demo-v1.html").read_text(encoding="utf-8")
    assert "7 incidents were reported." in html

    # a bad row is named before anything runs
    (root / "data" / "incidents.csv").write_text("year,incidents\n2024,many\n", "utf-8")
    with pytest.raises(InputError, match=r"incidents\.csv, row 2, field 'incidents'"):
        sections.load("demo", project)

    # the change log compares the number the spec names
    (root / "data" / "incidents.csv").write_text("year,incidents\n2024,3\n2025,6\n", "utf-8")
    second = build("demo", project=project)
    changes = diff.compare(
        diff.Edition.from_version_dir(first.version_dir),
        diff.Edition.from_version_dir(second.version_dir),
    )
    assert "incidents in the file: 7 → 9" in diff.to_text(changes, "demo")
