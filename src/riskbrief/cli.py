"""The ``riskbrief`` command behind the Makefile.

    riskbrief [--root PROJECT] build <name | params file> ... [--renderer nbconvert|quarto]
                                     [--force] [--as-built MANIFEST] [--scheduler ADDRESS]
    riskbrief list
    riskbrief show <name> [--version N]
    riskbrief diff <name> [vA vB] [--all]   (default: the latest two versions)
    riskbrief verify [name ...] [--version N] [--rebuild]
    riskbrief status [name ...] [--renderer R]   (up to date or stale, and which inputs changed)
    riskbrief preview <name> [--port 8765]        (live HTML preview; publishes nothing)
    riskbrief deps            (make rules: which files each briefing is built from)
    riskbrief site OUT        (an offline static site of the PUBLIC briefings only)
    riskbrief import KIND SOURCE... [--out PATH.csv] | --config FILE
                              (public datasets -> evidence tables in data/evidence/)

``--root`` names the project (default: ``RISKBRIEF_ROOT``, else the checkout the package is
installed from); it is passed on to notebook kernels through ``RISKBRIEF_ROOT``.

User errors (bad params or data, a failed notebook, a missing renderer) are printed as one
clear message without a traceback, with exit code 2 for bad input and 1 for a failed build.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from riskbrief import __version__
from riskbrief.errors import BuildError, InputError, RiskbriefError
from riskbrief.paths import ROOT_ENV, Project, display_path


def _dirs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reports-dir", type=Path, default=None, help="published briefings (default: reports/)"
    )
    parser.add_argument("--build-dir", type=Path, default=None, help="work files (default: build/)")


def _reports(args: argparse.Namespace) -> Path:
    return Path(args.reports_dir or args.project.reports_dir)


def cmd_build(args: argparse.Namespace) -> int:
    from riskbrief import provenance

    # before the pipeline is imported: numpy itself parses SOURCE_DATE_EPOCH on import
    provenance.build_time()
    from riskbrief import cluster

    scheduler = (args.scheduler or os.environ.get(cluster.SCHEDULER_ENV, "")).strip()
    if scheduler:
        cluster.probe(scheduler)  # an unreachable scheduler fails now, not after the imports
    from riskbrief.build import build, build_all

    as_built = None
    if args.as_built is not None:
        try:
            as_built = provenance.Manifest.read(args.as_built)
        except (OSError, ValueError, TypeError) as exc:
            raise InputError(args.as_built, f"not a readable manifest: {exc}") from None
    if scheduler:
        # every briefing checked first, then all their notebooks at once on the cluster
        build_all(
            args.briefings,
            project=args.project,
            reports_dir=args.reports_dir,
            build_dir=args.build_dir,
            renderer=args.renderer,
            force=args.force,
            as_built=as_built,
            scheduler=scheduler,
        )
        return 0
    for target in args.briefings:
        build(
            target,
            project=args.project,
            reports_dir=args.reports_dir,
            build_dir=args.build_dir,
            renderer=args.renderer,
            force=args.force,
            as_built=as_built,
        )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from riskbrief import params, publish

    reports = _reports(args)
    names = params.available_briefings(args.project)
    if not names:
        print(f"no params files in {display_path(args.project.params_dir)}")
    for name in names:
        vs = publish.versions(reports / name)
        if vs:
            m = publish.read_manifest(reports / name, vs[-1])
            as_of = m.parameters.get("as_of", "")
            print(f"{name:<20} v{vs[-1]:<4} {as_of:<12} {m.title}")
        else:
            print(f"{name:<20} {'—':<5} {'':<12} (not built yet)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from riskbrief import publish

    reports = _reports(args)
    bdir = reports / args.name
    v = publish.select(reports, args.name, args.version)[-1]
    m = publish.read_manifest(bdir, v)
    if args.json:
        print(json.dumps(m.to_dict(), indent=2, sort_keys=True))
        return 0
    p = m.parameters
    print(
        f"{m.title} — v{m.version}"
        + (f" (supersedes v{m.supersedes})" if m.supersedes else " (first edition)")
    )
    print(f"  as of       {p['as_of']}   classification {p['classification']}")
    print(f"  built       {m.built_at}   renderer {m.renderer['version']}")
    print(f"  git commit  {m.git['commit']}{' (dirty)' if m.git.get('dirty') else ''}")
    print(f"  executed    {m.executed_on}")
    print(f"  fingerprint {m.fingerprint}")
    print(f"  folder      {display_path(bdir / f'v{v}')}")
    print("  outputs:")
    for o in m.outputs:
        print(f"    {o['path']:<40} {o['sha256'][:16]}  {o['bytes']:>9} bytes")
    print("  inputs:")
    for i in m.project_inputs():
        print(f"    {i['path']:<40} {i['sha256'][:16]}")
    print(f"    (+ {m.package_files} riskbrief package files)")
    if m.key_judgments:
        print("  key judgments:")
        for n, kj in enumerate(m.key_judgments, 1):
            print(f"    {n}. {kj}")
    return 0


def _version_arg(text: str) -> int:
    try:
        return int(text.lower().removeprefix("v"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a version: {text!r} (write 3 or v3)") from None


def cmd_diff(args: argparse.Namespace) -> int:
    from riskbrief import diff, publish

    reports = _reports(args)
    bdir = reports / args.name
    vs = publish.select(reports, args.name)
    if len(vs) < 2 and (args.old is None or args.new is None):
        raise InputError(
            None, f"briefing '{args.name}' has {len(vs)} published version; a diff needs two"
        )
    old = publish.select(reports, args.name, args.old if args.old is not None else vs[-2])[0]
    new = publish.select(reports, args.name, args.new if args.new is not None else vs[-1])[0]
    changes = diff.compare(
        diff.Edition.from_version_dir(bdir / f"v{old}"),
        diff.Edition.from_version_dir(bdir / f"v{new}"),
    )
    if args.json:
        print(json.dumps(changes, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print(diff.to_text(changes, args.name, show_all=args.all), end="")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Re-hash published files against their manifests; with --rebuild, rebuild and compare."""
    from riskbrief import provenance, publish

    provenance.build_time()  # as for build: checked before numpy reads it
    from riskbrief import verify

    reports = _reports(args)
    build_dir = Path(args.build_dir or args.project.build_dir)
    names = args.names or verify.briefing_names(reports)
    if not names:
        raise InputError(None, f"no published briefing in {display_path(reports)}")
    if args.version is not None and len(names) != 1:
        raise InputError(None, "--version needs exactly one briefing name")
    selected = {name: publish.select(reports, name, args.version) for name in names}
    failed = []
    for name, vs in selected.items():
        for v in vs:
            c = verify.check_version(reports / name, v)
            if c.ok:
                print(
                    f"{name} v{v}: ok, {c.checked} files match the manifest "
                    f"(manifest sha256 {c.manifest_sha256[:16]}…)"
                )
            else:
                print(f"{name} v{v}: {len(c.findings)} problem(s)")
                for f in c.findings:
                    print(f"  {f}")
                failed.append(f"{name} v{v}")
        for problem in verify.latest_findings(reports / name):
            print(f"{name}: {problem.path} {problem.detail}")
            failed.append(f"{name} {problem.path}")
        if args.rebuild:
            v = vs[-1]
            r = verify.rebuild(reports, name, v, keep_dir=build_dir / "verify" / name / f"v{v}")
            for note in r.caveats:
                print(f"  note: {note}")
            if r.error:
                print(f"{name} v{v}: cannot rebuild: {r.error}")
                failed.append(f"{name} v{v} rebuild")
            elif r.ok:
                print(
                    f"{name} v{v}: rebuilt from its inputs: all {len(r.identical)} files byte-identical"
                )
            else:
                total = len(r.identical) + len(r.differing)
                print(
                    f"{name} v{v}: rebuilt from its inputs: {len(r.differing)} of {total} files differ"
                )
                for path, how in r.differing:
                    print(
                        f"  differs   {path}"
                        + (f"\n{how}" if "\n" in how else f"  ({how})" if how else "")
                    )
                if r.kept:
                    print(f"  the rebuilt files are kept in {display_path(r.kept)}")
                failed.append(f"{name} v{v} rebuild")
    if failed:
        print(f"riskbrief: verification failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Each briefing: up to date, stale (naming the inputs that changed), not built, invalid."""
    from riskbrief import status

    found = status.status(args.project, _reports(args), args.names, args.renderer)
    for s in found:
        print("\n".join(s.lines()))
    if not found:
        print(f"no params files in {display_path(args.project.params_dir)}")
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    from riskbrief import preview

    preview.serve(
        args.name,
        project=args.project,
        build_dir=args.build_dir,
        host=args.host,
        port=args.port,
        open_browser=False,
    )
    return 0


def cmd_deps(args: argparse.Namespace) -> int:
    """Print make rules: each briefing's stamp depends on the project files of its input list
    (the list the fingerprint hashes), only files that exist: make never stops on a file it
    cannot find, and the build itself reports what is missing or wrong."""
    from riskbrief import inputs, sections

    out = []
    for name in sections.params_mod.available_briefings(args.project):
        target = f"$(STAMP_DIR)/{name}.stamp"
        try:
            b = sections.load(name, args.project, check_inputs=False)
            out.append(inputs.make_rule(b, target))
        except RiskbriefError:
            # an invalid params file still gets a rule: the build reports the error properly
            out.append(f"{target}: params/{name}.yaml")
    print("\n".join(out))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Turn downloaded public datasets into evidence tables: one import, or every import
    listed in a config file (``make evidence``). Each writes PATH.csv and PATH.csv.source.json."""
    from riskbrief import importers

    if args.config is not None:
        if args.kind or args.sources or args.out:
            raise InputError(None, "give KIND SOURCE... or --config FILE, not both")
        results = importers.run_config(args.config, root=args.project.root)
    elif args.kind is None or not args.sources:
        raise InputError(
            None,
            "usage: riskbrief import KIND SOURCE... [--out PATH.csv], or riskbrief import "
            f"--config FILE; kinds: {', '.join(importers.kinds())}",
        )
    else:
        results = [importers.run(args.kind, args.sources, args.out, root=args.project.root)]
    for r in results:
        state = "written" if r.changed else "unchanged"
        print(f"{r.kind}: {r.table.summary}")
        print(f"  -> {display_path(r.csv)} ({r.rows} rows, {state})")
        unmapped = r.table.unmapped.entries()
        if unmapped:
            rows = sum(int(e["rows"]) for e in unmapped)
            print(
                f"  {len(unmapped)} value{'s' * (len(unmapped) > 1)} not mapped as they are "
                f"({rows:,} rows): see {display_path(r.sidecar)}"
            )
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    """Export the PUBLIC briefings' latest versions as an offline static site in OUT."""
    from riskbrief import site

    result = site.export(_reports(args), args.out)
    for b in result.briefings:
        print(f"{b.name} v{b.version}: {', '.join(f for f, *_ in b.files)}")
    if result.withheld:
        left = ", ".join(f"{name} ({level})" for name, level in result.withheld)
        print(f"left out, not PUBLIC: {left}")
    n = len(result.briefings)
    print(f"site: {n} PUBLIC briefing{'s' * (n != 1)} in {display_path(result.out)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="riskbrief", description="Build and inspect riskbrief briefings."
    )
    parser.add_argument("--version", action="version", version=f"riskbrief {__version__}")
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help=f"the project folder (default: ${ROOT_ENV}, else the checkout riskbrief runs from)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "build",
        help="build briefings and publish a new version when an input changed",
        description="Validate, execute, assemble, render and publish one or more briefings.",
    )
    p.add_argument(
        "briefings",
        nargs="+",
        metavar="NAME_OR_PARAMS",
        help="a name in params/ (baseline) or a params file",
    )
    p.add_argument(
        "--renderer",
        default="nbconvert",
        help="nbconvert (default: HTML + WeasyPrint PDF) or quarto",
    )
    p.add_argument(
        "--force", action="store_true", help="publish a new version even if no input changed"
    )
    p.add_argument(
        "--as-built",
        type=Path,
        default=None,
        metavar="MANIFEST",
        help="rebuild as a published version was built: its build time and git state, forced "
        "(used by verify --rebuild)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the notebooks and their Monte Carlo and Sobol evaluations on this Dask "
        "scheduler (tcp://host:8786; default: $RISKBRIEF_SCHEDULER, else in this process)",
    )
    _dirs(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "list", help="list briefings and their latest versions", description="List briefings."
    )
    _dirs(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "show", help="show a published version's manifest", description="Show a version's manifest."
    )
    p.add_argument("name")
    p.add_argument("--version", type=int, default=None, help="version number (default: latest)")
    p.add_argument("--json", action="store_true", help="print the manifest as JSON")
    _dirs(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser(
        "diff",
        help="what changed between two published versions",
        description="Compare two published versions: inputs, params fields, data rows, risk bands, headline numbers.",
    )
    p.add_argument("name")
    p.add_argument(
        "old",
        nargs="?",
        type=_version_arg,
        default=None,
        help="older version (default: the one before the latest)",
    )
    p.add_argument(
        "new",
        nargs="?",
        type=_version_arg,
        default=None,
        help="newer version (default: the latest)",
    )
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.add_argument("--all", action="store_true", help="list unchanged numbers too")
    _dirs(p)
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser(
        "verify",
        help="check published files against their manifests",
        description="Re-hash every published file against its manifest and report any file "
        "altered, added or removed; --rebuild rebuilds a version from its inputs and compares.",
    )
    p.add_argument(
        "names", nargs="*", metavar="NAME", help="briefings (default: every published one)"
    )
    p.add_argument("--version", type=int, default=None, help="one version (default: every version)")
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild the version (default: the latest) from its input snapshot and compare bytes",
    )
    _dirs(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser(
        "status",
        help="which briefings are up to date or stale, and which inputs changed",
        description="Compare each briefing's inputs with its latest published version, without "
        "building anything: up to date, stale (naming the inputs that changed), not built, or "
        "invalid (with the build's message).",
    )
    p.add_argument(
        "names", nargs="*", metavar="NAME", help="briefings (default: every params file)"
    )
    p.add_argument(
        "--renderer", default="nbconvert", help="the renderer a build would use (default nbconvert)"
    )
    _dirs(p)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "preview",
        help="serve a briefing's HTML and re-render it as its inputs change (publishes nothing)",
        description="Build a briefing's HTML into build/preview/ and serve it on 127.0.0.1; "
        "watch its params, data, notebooks and the package, re-run only the sections whose "
        "inputs changed, and refresh the page. No PDF, no version, nothing published.",
    )
    p.add_argument("name", metavar="NAME_OR_PARAMS")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    p.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    p.add_argument("--build-dir", type=Path, default=None, help="work files (default: build/)")
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser(
        "deps", help="print make rules for each briefing's inputs", description="Print make rules."
    )
    p.set_defaults(func=cmd_deps)

    p = sub.add_parser(
        "site",
        help="export the PUBLIC briefings as an offline static site",
        description="Write the latest version of every PUBLIC briefing (PDF and HTML) and an "
        "index page into OUT, atomically. INTERNAL and DRAFT briefings are left out entirely. "
        "OUT must be missing, empty, or a site written by an earlier export.",
    )
    p.add_argument("out", type=Path, metavar="OUT", help="the site folder (make site: build/site)")
    p.add_argument(
        "--reports-dir", type=Path, default=None, help="published briefings (default: reports/)"
    )
    p.set_defaults(func=cmd_site)

    p = sub.add_parser(
        "import",
        help="turn downloaded public datasets into evidence tables (data/evidence/)",
        description="Import a public dataset a user downloaded into a small aggregate table and "
        "its provenance sidecar (PATH.csv, PATH.csv.source.json). Kinds: mit-risk WORKBOOK.xlsx; "
        "aiid and aiid-subdomains INCIDENTS.csv CLASSIFICATIONS_MIT.csv; epoch-models "
        "MODELS.csv; epoch-clusters CLUSTERS.csv. Nothing is written if an import fails.",
    )
    p.add_argument("kind", nargs="?", metavar="KIND", help="what to import (see above)")
    p.add_argument("sources", nargs="*", type=Path, metavar="SOURCE", help="the downloaded files")
    p.add_argument(
        "--out", type=Path, default=None, help="output CSV (default: data/evidence/<KIND>.csv)"
    )
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="run every import listed in this file (make evidence: data/evidence/sources.yaml)",
    )
    p.set_defaults(func=cmd_import)

    args = parser.parse_args(argv)
    if args.root is not None:
        os.environ[ROOT_ENV] = str(args.root.resolve())  # for notebook kernels
    args.project = Project(args.root) if args.root is not None else Project.default()
    try:
        return args.func(args)
    except InputError as exc:
        print(f"riskbrief: error: {exc}", file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"riskbrief: build failed: {exc}", file=sys.stderr)
        return 1
    except RiskbriefError as exc:
        print(f"riskbrief: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("riskbrief: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
