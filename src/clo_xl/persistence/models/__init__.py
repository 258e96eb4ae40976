"""SQLAlchemy 2 typed models. ORM rows are storage, not domain objects (see ``persistence.mappers``)."""

from clo_xl.persistence.models.audit import ChangeLogRow, RunLogRow
from clo_xl.persistence.models.base import AUDIT, BOOKKEEPING_COLUMNS, CLO, Base, Versioned
from clo_xl.persistence.models.deal import (
    AccountRow,
    CashflowInputRow,
    DealRow,
    HoldingRow,
    ObjectiveWeightRow,
    QualityInputRow,
    TestThresholdRow,
    TrancheRow,
)
from clo_xl.persistence.models.reference import (
    CashflowAssumptionRow,
    CashflowVectorRow,
    ControlCellRow,
    CorrelationRow,
    CountrySetRow,
    CurvePointRow,
    DiversityScoreRow,
    FilterListRow,
    HolidayRow,
    IndustryRow,
    RateFixingRow,
    RatingRow,
    RecoveryRateRow,
    SinkScheduleRow,
    TransitionRow,
)
from clo_xl.persistence.models.runs import HypoTradeRow, WaterfallVersionRow
from clo_xl.persistence.models.universe import AssetRow

__all__ = [
    "AUDIT",
    "BOOKKEEPING_COLUMNS",
    "CLO",
    "AccountRow",
    "AssetRow",
    "Base",
    "CashflowAssumptionRow",
    "CashflowInputRow",
    "CashflowVectorRow",
    "ChangeLogRow",
    "ControlCellRow",
    "CorrelationRow",
    "CountrySetRow",
    "CurvePointRow",
    "DealRow",
    "DiversityScoreRow",
    "FilterListRow",
    "HoldingRow",
    "HolidayRow",
    "HypoTradeRow",
    "IndustryRow",
    "ObjectiveWeightRow",
    "QualityInputRow",
    "RateFixingRow",
    "RatingRow",
    "RecoveryRateRow",
    "RunLogRow",
    "SinkScheduleRow",
    "TestThresholdRow",
    "TrancheRow",
    "TransitionRow",
    "Versioned",
    "WaterfallVersionRow",
]
