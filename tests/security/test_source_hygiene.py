"""Workbook content is data, never code; SQL is built from values only through bound parameters.

Static checks over ``src/clo_xl`` (the AST, not a text grep, so comments and strings do not count):

* no ``eval``/``exec``/``compile``/``__import__`` and no unpickling or unsafe YAML anywhere;
* no shell: no ``os.system``/``os.popen`` and no ``subprocess`` call with ``shell=True``;
* SQL text assembled by string interpolation (f-strings, ``%``, ``.format``, ``+``) appears only in the
  persistence layer, where the interpolated parts are identifiers from the models or migrations; the
  behavioural proof that workbook values travel as parameters is ``test_workbook_content_is_data``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "clo_xl"
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_ATTRS = {
    ("pickle", "load"),
    ("pickle", "loads"),
    ("marshal", "loads"),
    ("os", "system"),
    ("os", "popen"),
    ("shelve", "open"),
}
SQL_SINKS = {"text", "execute", "exec_driver_sql", "copy", "executemany", "execute_values"}
SQL_INTERPOLATION_ALLOWED = ("persistence/",)


def modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _owner(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return None


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(SRC.parent)}:{getattr(node, 'lineno', '?')}"


def test_the_source_tree_is_there() -> None:
    assert (SRC / "cli.py").is_file()
    assert sum(1 for _ in modules()) > 20


def test_no_dynamic_code_execution() -> None:
    found = [
        f"{_where(p, n)} {ast.unparse(n.func)}()"
        for p, tree in modules()
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in FORBIDDEN_CALLS
    ]
    assert found == [], "code execution on data:\n" + "\n".join(found)


def test_no_unsafe_deserialisation_or_shell() -> None:
    found: list[str] = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if (_owner(node.func), _name(node.func)) in FORBIDDEN_ATTRS:
                found.append(f"{_where(path, node)} {ast.unparse(node.func)}()")
            if _owner(node.func) == "yaml" and _name(node.func) in {"load", "load_all", "unsafe_load"}:
                found.append(f"{_where(path, node)} {ast.unparse(node.func)}() (use yaml.safe_load)")
            for kw in node.keywords:
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    found.append(f"{_where(path, node)} {ast.unparse(node.func)}(shell=...)")
    assert found == [], "\n".join(found)


def _interpolated(arg: ast.expr) -> bool:
    if isinstance(arg, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in arg.values)
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod | ast.Add):
        return True
    return isinstance(arg, ast.Call) and _name(arg.func) == "format"


def test_sql_text_is_interpolated_only_in_the_persistence_layer() -> None:
    outside: list[str] = []
    inside = 0
    for path, tree in modules():
        rel = path.relative_to(SRC).as_posix()
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) in SQL_SINKS and node.args):
                continue
            if not _interpolated(node.args[0]):
                continue
            if rel.startswith(SQL_INTERPOLATION_ALLOWED):
                inside += 1
            else:
                outside.append(f"{_where(path, node)} {ast.unparse(node)[:100]}")
    assert outside == [], "SQL built by interpolation outside clo_xl.persistence:\n" + "\n".join(outside)
    assert inside > 0  # the scan sees the persistence layer's identifier-quoting SQL builders
