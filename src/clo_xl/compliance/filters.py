"""The Run Model filter language (COMPLIANCE_SPEC §5.5), parsed into a syntax tree — never ``eval``.

**Text.** Each filter row is (logical operator, "(", field, comparison, value, ")"). The row text is the
logical operator with a space on each side (if any) followed by the other five cells trimmed and joined
with no spaces: ``(S&P Rating<=B-`` + `` or `` + ``Moody's Rating>=B3)``.

**Terms.** ``field op value``; the operator is the first found in the order ``<=, !=, >=, <, =, >``. Field
names match case-insensitively; see :data:`FIELD_KINDS` for how each field compares.

**Structure.** Two parsers build the same node types:

* corrected (default when :data:`Quirk.Q28_FILTER_PRECEDENCE` is off): parentheses group; ``not`` binds
  tightest, then ``and``, then ``or``; ``X not Y`` / ``X not and Y`` mean X AND NOT Y, ``X or not Y`` /
  ``X not or Y`` mean X OR NOT Y.
* legacy (Q28 on): parenthesised parts become constant True/False sub-trees; the remaining text is split at
  the first occurrence of the operator *type* that ranks highest in `` NOT OR `` > `` NOT AND `` >
  `` NOT `` > `` OR `` > `` AND ``, regardless of position, recursively on both sides; every NOT form
  evaluates to False.

Evaluation is vectorised: a tree evaluates to a boolean mask over a universe's assets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from clo_xl.compliance.columns import AssetColumns
from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.errors import UsageError
from clo_xl.portfolio.pool import Universe
from clo_xl.ratings.scales import MoodysRating
from clo_xl.ratings.tables import sp_filter_rows

BoolArray = npt.NDArray[np.bool_]

COMPARISONS = ("<=", "!=", ">=", "<", "=", ">")
#: legacy operator priority: the later in this tuple wins (FindNextOperator)
LEGACY_OPERATORS = (" AND ", " OR ", " NOT ", " NOT AND ", " NOT OR ")

#: field (casefolded) → comparison kind
FIELD_KINDS: dict[str, str] = {
    "moody's industry": "upper",
    "s&p industry": "upper",
    "moody's rating": "moodys",
    "moody's rating warf": "moodys_warf",
    "moody's rating dpr": "moodys_dpr",
    "s&p rating": "sp",
    "wal": "wal",
    "cov-lite": "bool",
    "country": "upper",
    "facility size": "number",
    "market value": "number",
    "analyst opinion": "upper",
}


@dataclass(frozen=True)
class FilterRow:
    """One row of ``BuyFilter``/``SaleFilter`` (Run Model D:I)."""

    logic: str = ""
    open: str = ""
    field: str = ""
    op: str = ""
    value: str = ""
    close: str = ""


def filter_text(rows: Sequence[FilterRow]) -> str:
    """The legacy filter text of a block of rows (UI 1456–1478)."""
    out = []
    for r in rows:
        if r.logic.strip():
            out.append(f" {r.logic.strip()} ")
        out.append("".join(s.strip() for s in (r.open, r.field, r.op, r.value, r.close)))
    return "".join(out)


# -- syntax tree -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    field: str
    op: str
    value: str


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class LegacyNot:
    """A NOT form under the legacy rules: always False (its operands are kept for display)."""

    left: Node
    right: Node


Node = Term | Const | And | Or | Not | LegacyNot


def parse_term(text: str) -> Node:
    t = text.strip()
    if t.upper() in {"TRUE", "FALSE"}:
        return Const(t.upper() == "TRUE")
    for op in COMPARISONS:
        i = t.find(op)
        if i >= 0:
            return Term(t[:i].strip(), op, t[i + len(op) :].strip())
    raise UsageError(f"filter term {t!r} has no comparison operator (one of {', '.join(COMPARISONS)})")


# corrected parser -----------------------------------------------------------------------------------------
_TOKEN = re.compile(r"(\(|\)|\s+(?:not\s+or|not\s+and|or\s+not|and\s+not|and|or|not)\s+)", re.IGNORECASE)


_OPS = frozenset({"and", "or", "not", "not or", "not and", "or not", "and not"})


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    for p in _TOKEN.split(" " + text.replace("(", " ( ").replace(")", " ) ") + " "):
        if p is None or not p.strip():
            continue
        s = p.strip()
        low = re.sub(r"\s+", " ", s.lower())
        out.append(low if low in _OPS else s)
    return out


class _Parser:
    """Recursive descent over the tokens of a corrected filter: ``expr := conj (or conj)*``,
    ``conj := primary (and primary)*``, ``primary := ( expr ) | not primary | term``; "and not",
    "not and" and a bare "not" between terms negate the right-hand side, as "or not"/"not or" do."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> str:
        self.pos += 1
        return self.toks[self.pos - 1]

    def primary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise UsageError(f"filter {self.text!r} ends early")
        if tok == "(":
            self.take()
            node = self.expr()
            if self.peek() != ")":
                raise UsageError(f"filter {self.text!r}: missing ')'")
            self.take()
            return node
        if tok == "not":
            self.take()
            return Not(self.primary())
        if tok in {")", "and", "or", "and not", "or not", "not and", "not or"}:
            raise UsageError(f"filter {self.text!r}: unexpected {tok!r}")
        return parse_term(self.take())

    def conj(self) -> Node:
        node = self.primary()
        while self.peek() in {"and", "not", "and not", "not and"}:
            op = self.take()
            node = And(node, Not(self.primary()) if op != "and" else self.primary())
        return node

    def expr(self) -> Node:
        node = self.conj()
        while self.peek() in {"or", "or not", "not or"}:
            op = self.take()
            rhs = self.conj()
            node = Or(node, rhs if op == "or" else Not(rhs))
        return node


def parse_corrected(text: str) -> Node:
    """The corrected reading of a filter: and/or/not with the usual precedence and parentheses; an empty
    filter selects everything; a malformed one is a one-line error quoting it."""
    parser = _Parser(text)
    if not parser.toks:
        return Const(True)
    node = parser.expr()
    if parser.pos != len(parser.toks):
        raise UsageError(f"filter {text!r}: unexpected {parser.toks[parser.pos]!r}")
    return node


# legacy parser -------------------------------------------------------------------------------------------
def parse_legacy(text: str) -> Node:
    """Build the tree the legacy evaluation implies (TST 152–205, CH 2484–2530)."""
    groups: list[Node] = []
    s = text
    while "(" in s:
        start = s.rfind("(")
        end = s.find(")", start)
        if end < 0:
            raise UsageError(f"filter {text!r}: missing ')'")
        groups.append(_legacy_split(s[start + 1 : end], groups))
        s = s[:start] + f"\x00{len(groups) - 1}\x00" + s[end + 1 :]
    if ")" in s:
        raise UsageError(f"filter {text!r}: unbalanced ')'")
    if not s.strip():
        return Const(True)
    return _legacy_split(s, groups)


def _legacy_split(s: str, groups: list[Node]) -> Node:
    up = s.upper()
    chosen = None
    for op in LEGACY_OPERATORS:
        if op in up:
            chosen = op  # the later one in the list wins
    if chosen is None:
        m = re.fullmatch(r"\s*\x00(\d+)\x00\s*", s)
        if m:
            return groups[int(m.group(1))]
        return parse_term(s)
    i = up.find(chosen)
    left = _legacy_split(s[:i], groups)
    right = _legacy_split(s[i + len(chosen) :], groups)
    if chosen == " AND ":
        return And(left, right)
    if chosen == " OR ":
        return Or(left, right)
    return LegacyNot(left, right)


def parse_filter(text: str, quirks: QuirkSet) -> Node:
    """Parse filter text with the legacy or corrected rules (Q28)."""
    if Quirk.Q28_FILTER_PRECEDENCE in quirks:
        return parse_legacy(text)
    return parse_corrected(text)


# -- evaluation ----------------------------------------------------------------------------------------------
@cache
def _sp_enum(legacy: bool) -> dict[str, int]:
    return {r["symbol"]: int(r["legacy_value" if legacy else "value"]) for r in sp_filter_rows()}


def moodys_enum(text: str) -> int:
    """Moody's filter enum: trimmed, uppercased; Aaa = 1 … C = 21; unrecognised → 0 (UDT 310–352)."""
    key = text.strip().upper()
    for m in MoodysRating:
        if m.name.upper() == key:
            return m.rank
    return 0


def sp_enum(text: str, legacy: bool) -> int:
    """S&P filter enum: AAA = 1 … B- = 16, CCC± = 17, anything else (D, NR, CC, C, blank) = 18."""
    return _sp_enum(legacy).get(text.strip().upper(), 18)


def _compare(a: np.ndarray, op: str, b: object) -> BoolArray:
    if op == "<=":
        result: BoolArray = a <= b
    elif op == "!=":
        result = a != b
    elif op == ">=":
        result = a >= b
    elif op == "<":
        result = a < b
    elif op == "=":
        result = a == b
    else:
        result = a > b
    return np.asarray(result, dtype=bool)


class FilterEvaluator:
    """Evaluates trees over a universe (vectorised; field arrays are built once per evaluator)."""

    def __init__(self, universe: Universe, cols: AssetColumns, quirks: QuirkSet):
        self.universe = universe
        self.cols = cols
        self.q = quirks
        self._arrays: dict[str, np.ndarray] = {}

    def field_values(self, kind: str, field: str) -> np.ndarray:
        key = f"{kind}:{field}"
        if key in self._arrays:
            return self._arrays[key]
        a = self.universe.assets
        d = self.cols.derived
        legacy = Quirk.Q28_FILTER_PRECEDENCE in self.q
        sp_legacy = Quirk.Q7_SP_A_PLUS_FILTER_ENUM in self.q
        values: np.ndarray
        if kind == "upper":
            attr = {
                "moody's industry": "moodys_industry",
                "s&p industry": "sp_industry",
                "country": "country",
                "analyst opinion": "analyst_opinion",
            }[field]
            values = np.array([str(getattr(x, attr)).strip().upper() for x in a], dtype=object)
        elif kind in {"moodys", "moodys_warf", "moodys_dpr"}:
            slot = {"moodys": "moodys", "moodys_warf": "dpr_warf", "moodys_dpr": "dpr"}[kind]
            values = np.array(
                [getattr(r, slot).moodys.rank if getattr(r, slot).moodys else 0 for r in d], dtype=np.int64
            )
        elif kind == "sp":
            values = np.array([sp_enum(str(r.sp) if r.sp else "", sp_legacy) for r in d], dtype=np.int64)
        elif kind == "wal":
            if legacy or Quirk.Q4_WAL_TEXT_FILTER in self.q:
                values = np.array([_vba_text(x.wal) for x in a], dtype=object)
            else:
                values = np.array([x.wal for x in a], dtype=np.float64)
        elif kind == "bool":
            values = np.array([x.flag("cov_lite", legacy=Quirk.Q1_FLAGS_EXACT_YES in self.q) for x in a])
        elif kind == "number":
            attr = "facility_size" if field == "facility size" else "market_value"
            values = np.array([float(getattr(x, attr)) for x in a], dtype=np.float64)
        else:  # unknown field: both sides empty
            values = np.array([""] * len(a), dtype=object)
        self._arrays[key] = values
        return values

    def term(self, t: Term) -> BoolArray:
        field = t.field.strip().casefold()
        kind = FIELD_KINDS.get(field, "unknown")
        values = self.field_values(kind, field)
        v = t.value.strip()
        rhs: object
        if kind == "upper":
            rhs = v.upper()
        elif kind in {"moodys", "moodys_warf", "moodys_dpr"}:
            rhs = moodys_enum(v)
        elif kind == "sp":
            rhs = sp_enum(v, Quirk.Q7_SP_A_PLUS_FILTER_ENUM in self.q)
        elif kind == "wal":
            rhs = v if values.dtype == object else _number(v, t)
        elif kind == "bool":
            rhs = v.upper() == "TRUE"
        elif kind == "number":
            rhs = _number(v, t)
        else:
            rhs = ""
        return _compare(values, t.op, rhs)

    def evaluate(self, node: Node) -> BoolArray:
        n = len(self.universe)
        if isinstance(node, Const):
            return np.full(n, node.value, dtype=bool)
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, And):
            return self.evaluate(node.left) & self.evaluate(node.right)
        if isinstance(node, Or):
            return self.evaluate(node.left) | self.evaluate(node.right)
        if isinstance(node, Not):
            return ~self.evaluate(node.operand)
        return np.zeros(n, dtype=bool)  # LegacyNot


def _number(text: str, t: Term) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise UsageError(f"filter term '{t.field}{t.op}{t.value}': {t.value!r} is not a number") from None


def _vba_text(x: float) -> str:
    """VBA ``CStr`` of a double: shortest text, no trailing ".0"."""
    s = repr(float(x))
    return s[:-2] if s.endswith(".0") else s


def extra_columns(text: str, filter_fields: Sequence[str], *, asset_table: bool = False) -> list[str]:
    """Filter fields shown as extra output columns (§5.5): every ``FilterFields`` entry except the last row
    of the range that appears case-sensitively in the text, minus those already shown (case-sensitive)."""
    shown = {"MARKET VALUE", "Moody's Rating", "S&P Rating", "Coupon", "WAS", "LIBOR Floor", "WAL",
             "Moody's Recovery Rate"}  # fmt: skip
    if asset_table:
        shown.add("Analyst Opinion")
    out = []
    for f in list(filter_fields)[:-1]:
        if f and f in text and f not in shown:
            out.append(f.upper())
    return out


__all__ = [
    "FIELD_KINDS",
    "And",
    "Const",
    "FilterEvaluator",
    "FilterRow",
    "LegacyNot",
    "Node",
    "Not",
    "Or",
    "Term",
    "extra_columns",
    "filter_text",
    "moodys_enum",
    "parse_corrected",
    "parse_filter",
    "parse_legacy",
    "sp_enum",
]
