"""Rating scales, rating factors and the recovery matrix (COMPLIANCE_SPEC §3); the per-asset derivations
that apply them under the legacy switches are :mod:`clo_xl.compliance.derive`.

The tables live as data in :mod:`clo_xl.data.ratings`; this package only loads and applies them.
"""

from clo_xl.ratings.scales import (
    MoodysRating,
    SPRating,
    parse_moodys,
    parse_sp,
)

__all__ = ["MoodysRating", "SPRating", "parse_moodys", "parse_sp"]
