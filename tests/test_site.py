"""The public site holds PUBLIC briefings only: nothing of an INTERNAL or DRAFT briefing (file,
name, title or key judgment) reaches it; it is written whole or not at all; and reports/index.html
marks every briefing's classification."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from riskbrief import cli, site
from riskbrief.errors import BuildError, InputError
from riskbrief.index import plain_text
from riskbrief.provenance import Manifest

pytestmark = pytest.mark.slow
BRIEFINGS = sorted(p.stem for p in (Path(__file__).parents[1] / "params").glob("*.yaml"))


def manifests(reports: Path) -> dict[str, Manifest]:
    return {name: Manifest.read(reports / name / "latest") for name in BRIEFINGS}


def every_file(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones too), by its path relative to ``root``."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def left_aside(folder: Path) -> list[str]:
    """Hidden work folders an export left beside its site (its lock file is expected)."""
    return [p.name for p in folder.iterdir() if p.name.startswith(".") and p.is_dir()]


def traces(m: Manifest, public: list[Manifest]) -> list[str]:
    """What would betray a withheld briefing: its file names, title, subtitle, audience and
    the key judgments no public briefing shares."""
    shared = {plain_text(k) for p in public for k in p.key_judgments}
    found = [o["path"] for o in m.outputs if "/" not in o["path"]]
    found += [m.parameters[k] for k in ("title", "subtitle", "audience")]
    found += [plain_text(k) for k in m.key_judgments if plain_text(k) not in shared]
    return found


def test_the_real_briefings_cover_every_classification(real_reports: Path) -> None:
    levels = {m.parameters["classification"] for m in manifests(real_reports).values()}
    assert levels == {"PUBLIC", "INTERNAL", "DRAFT"}


def test_the_site_holds_the_public_briefings_only(real_reports: Path, public_site: Path) -> None:
    ms = manifests(real_reports)
    public = {n for n, m in ms.items() if m.parameters["classification"] == "PUBLIC"}
    files = every_file(public_site)
    expected = {"index.html", site.MARKER}
    for name in public:
        for kind in (".pdf", ".html"):
            filename = ms[name].output(kind)
            expected.add(f"{name}/{filename}")
            # the latest version's file, byte for byte
            assert (
                files[f"{name}/{filename}"]
                == (real_reports / name / "latest" / filename).read_bytes()
            )
    assert set(files) == expected

    # grep the whole tree for every trace of the withheld briefings ...
    withheld = [m for n, m in ms.items() if n not in public]
    needles = [t for m in withheld for t in traces(m, [ms[n] for n in public])]
    assert any(len(t) > 60 for t in needles)  # key judgments of their own are among them
    leaks = [
        (path, needle[:60])
        for needle in needles
        for path, data in files.items()
        if needle.encode() in data or needle.encode("ascii", "xmlcharrefreplace") in data
    ]
    assert not leaks, leaks
    # ... where the same grep finds the public briefing's traces (it can see)
    index = files["index.html"].decode()
    for name in public:
        assert ms[name].parameters["title"] in index
        assert f'href="{name}/{ms[name].output(".pdf")}"' in index


def test_the_site_index_says_what_it_holds(real_reports: Path, public_site: Path) -> None:
    index = (public_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index and "PUBLIC" in index
    assert "http://" not in index and "https://" not in index  # offline: nothing fetched
    m = Manifest.read(real_reports / "baseline" / "latest")
    for o in m.outputs:
        if "/" not in o["path"] and o["path"].endswith((".pdf", ".html")):
            assert o["sha256"] in index


def test_a_briefing_counts_as_public_only_if_its_latest_version_is(
    real_reports: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "reports"
    shutil.copytree(real_reports, copy, symlinks=True)
    out = tmp_path / "site"
    first = site.export(copy, out)
    assert [b.name for b in first.briefings] == ["baseline"]
    # the baseline's latest version is reclassified: the next export drops it altogether
    manifest = copy / "baseline" / "v1" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["parameters"]["classification"] = "INTERNAL"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    second = site.export(copy, out)
    assert second.briefings == ()
    assert ("baseline", "INTERNAL") in second.withheld
    assert set(every_file(out)) == {"index.html", site.MARKER}
    assert "No public briefing" in (out / "index.html").read_text(encoding="utf-8")
    assert left_aside(tmp_path) == []


def test_a_folder_that_is_not_a_site_is_never_overwritten(
    real_reports: Path, tmp_path: Path
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="never overwritten"):
        site.export(real_reports, out)
    assert every_file(out) == {"notes.txt": b"keep me"}
    with pytest.raises(InputError, match="outside the reports folder"):
        site.export(real_reports, real_reports / "site")


def test_a_failed_export_leaves_the_previous_site_whole(
    real_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "reports"
    shutil.copytree(real_reports, copy, symlinks=True)
    out = tmp_path / "site"
    site.export(copy, out)
    before = every_file(out)
    # a published file altered after publication is refused ...
    pdf = copy / "baseline" / "v1" / "baseline-v1.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"%")
    with pytest.raises(BuildError, match="differs from its manifest"):
        site.export(copy, out)
    assert every_file(out) == before
    # ... and an export interrupted at the last step changes nothing either
    shutil.copyfile(real_reports / "baseline" / "v1" / "baseline-v1.pdf", pdf)

    def crash(staging: Path, target: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(site, "_swap_in", crash)
    with pytest.raises(KeyboardInterrupt):
        site.export(copy, out)
    assert every_file(out) == before
    assert left_aside(tmp_path) == []


def test_the_command_exports_and_names_what_it_left_out(
    real_reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "public"
    assert cli.main(["site", str(out), "--reports-dir", str(real_reports)]) == 0
    said = capsys.readouterr().out
    assert "baseline v1" in said and "1 PUBLIC briefing" in said
    assert "arms-race (INTERNAL)" in said and "safety-race (DRAFT)" in said
    assert (out / "index.html").is_file()
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x", encoding="utf-8")
    assert cli.main(["site", str(tmp_path / "taken"), "--reports-dir", str(real_reports)]) == 2


def test_the_reports_index_marks_every_classification(real_reports: Path) -> None:
    index = (real_reports / "index.html").read_text(encoding="utf-8")
    ms = manifests(real_reports)
    for name, m in ms.items():
        level = m.parameters["classification"]
        heading = index[index.index(f'<h2 id="b-{name}">') :]
        heading = heading[: heading.index("</h2>")]
        assert f">{level}</span>" in heading, name  # in the heading, before the title
        assert heading.index(level) < heading.index(m.parameters["title"])
    assert "Only PUBLIC briefings may leave the team" in index
