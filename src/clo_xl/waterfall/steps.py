"""The closed set of waterfall steps (CASHFLOW_SPEC §4). Each Mag version is a data file listing them.

Every step is a frozen dataclass; the engine dispatches with one ``match`` ending in ``assert_never``.
Legacy defects are step options (named after their quirk number in the docs) that the version file
switches on for the `legacy` convention only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal


class Controlling(Enum):
    """When a junior class may be paid interest from principal (§4.0 "controlling class")."""

    ALWAYS = "always"
    IF_CONTROLLING = "if_controlling"
    NEVER = "never"  # legacy label never matches (Q17)


@dataclass(frozen=True)
class PayFee:
    """Pay a fee's due (carried unpaid + current accrual − paid so far)."""

    fee: str
    from_cure_of: str | None = None  # Q16: Mag16 junior fee paid out of the E-OC cure amount


@dataclass(frozen=True)
class PayInterest:
    """Current interest (then deferred interest on deferrable classes); pro rata by due when short."""

    classes: tuple[str, ...]
    pro_rata: bool = False
    controlling: Controlling = Controlling.ALWAYS
    controlling_on: str | None = None  # class whose balance decides "controlling" (default: first class)


@dataclass(frozen=True)
class PayDeferred:
    """Pay down deferred (capitalised) interest balances — the VBA `PayPIKInterest`; pro rata by balance."""

    classes: tuple[str, ...]
    pro_rata: bool = False
    controlling: Controlling = Controlling.ALWAYS
    controlling_on: str | None = None


@dataclass(frozen=True)
class PayPrincipal:
    """Principal sequentially (or pro rata by current balance within the group)."""

    classes: tuple[str, ...]
    pro_rata: bool = False


@dataclass(frozen=True)
class PayScheduledPrincipal:
    """Amortising class (Mag 17 Class X): original balance ÷ ``installments`` per payment date, capped."""

    tranche: str
    installments: int


@dataclass(frozen=True)
class CureCoverage:
    """The coverage-cure block for one test level (§4.0).

    ``math`` chooses the OC cure amount: "interest" (D − N/T) or "principal" ((T·D − N)/(T − 1)); the
    principal waterfall of Mag15 uses "interest" in legacy (Q18). Paid cash goes to notes payable.
    """

    oc: str | None
    ic: str | None
    credit_ic: tuple[str, ...] = ()
    credit_oc: tuple[str, ...] = ()
    credit_idt: bool = True
    math: Literal["interest", "principal"] = "principal"


@dataclass(frozen=True)
class DivertInterest:
    """Reinvestment-period interest diversion: min(IDT cure, ``share`` × interest left) into principal.

    ``test`` names the diversion test; by default the version's test of kind IDT."""

    test: str | None = None
    share: float = 0.5


@dataclass(frozen=True)
class ReinvestAllDuringRP:
    """Mag6 (Q19): during the reinvestment period every remaining principal dollar is reinvested."""


@dataclass(frozen=True)
class Reinvest:
    """Principal tail: reinvest min(maximum reinvestment, cash left); the rest goes to notes payable."""


@dataclass(frozen=True)
class PayIncentiveAndResidual:
    """Sub Notes up to the hurdle threshold, then the incentive fee share, the rest to the Sub Notes."""


Step = (
    PayFee
    | PayInterest
    | PayDeferred
    | PayPrincipal
    | PayScheduledPrincipal
    | CureCoverage
    | DivertInterest
    | ReinvestAllDuringRP
    | Reinvest
    | PayIncentiveAndResidual
)

STEP_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        PayFee,
        PayInterest,
        PayDeferred,
        PayPrincipal,
        PayScheduledPrincipal,
        CureCoverage,
        DivertInterest,
        ReinvestAllDuringRP,
        Reinvest,
        PayIncentiveAndResidual,
    )
}


def describe(step: Step) -> str:
    """One readable line per step (used by `clo-xl waterfall diff`)."""
    name = type(step).__name__
    fields = {k: v for k, v in vars(step).items() if v not in (None, (), False)}
    parts = []
    for k, v in fields.items():
        if isinstance(v, Enum):
            v = v.value
        if isinstance(v, tuple):
            v = ",".join(v)
        parts.append(f"{k}={v}")
    return f"{name}({'; '.join(parts)})"
