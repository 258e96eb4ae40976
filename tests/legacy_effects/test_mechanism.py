"""The warnings mechanism itself (CONTRACT §5): shape, detection, printing."""

from __future__ import annotations

from clo_xl.quirk_warnings import (
    QuirkWarning,
    attach_warnings,
    detect_warnings,
    warning_lines,
    warnings_of,
)


def test_shape_and_round_trip() -> None:
    w = QuirkWarning("Q5_WAL_ON_ORIGINAL", "Class E wal", "WAL over the original balance: 5.00 (12.08)")
    doc = attach_warnings({"deal": "X"}, [w, w])  # a switch is listed once
    assert doc["warnings"] == [{"quirk": "Q5_WAL_ON_ORIGINAL", "affects": "Class E wal",
                                "message": "WAL over the original balance: 5.00 (12.08)"}]  # fmt: skip
    assert warnings_of(doc) == (w,)
    assert attach_warnings({}, [])["warnings"] == []  # the key is always there
    assert warnings_of({}) == ()


def test_lines_are_one_line_each() -> None:
    doc = attach_warnings({}, [QuirkWarning("Q1", "a", "b"), QuirkWarning("Q2", "c", "d")])
    lines = warning_lines(doc)
    assert lines == ["⚠ Q1 (a): b", "⚠ Q2 (c): d"]
    assert all("\n" not in line for line in lines)


def test_only_switches_that_move_a_figure_are_listed() -> None:
    base = {"test 1 result": 0.5, "test 1 pass": True, "objective": 100.0}
    variants = [
        ("QA", "does A", {"test 1 result": 0.5, "test 1 pass": True, "objective": 100.0}),  # no effect
        ("QB", "does B", {"test 1 result": 0.5 + 1e-13, "test 1 pass": True, "objective": 100.0}),  # noise
        ("QC", "does C", {"test 1 result": 0.4, "test 1 pass": False, "objective": 0.0}),
    ]
    (w,) = detect_warnings(base, variants)
    assert w.quirk == "QC"
    assert w.affects == "test 1 result, test 1 pass, objective"
    assert w.message.startswith("does C: test 1 result 0.5 (0.4 without it); test 1 pass pass (FAIL")
    assert "1 more" in w.message


def test_a_figure_only_one_run_publishes_counts() -> None:
    (w,) = detect_warnings({"a": 1.0}, [("QX", "x", {"a": 1.0, "b": 2.0})])
    assert w.affects == "b"
