# %% [markdown]
# # clo-xl from Python: a deal, its tests and its cash flows as DataFrames
#
# `DealSession` is the one deal API that the command line, the Excel bridge and the parallel run share:
# load a deal once (from a workbook, an extract pair or PostgreSQL), then ask it for compliance,
# single measures, hypothetical trades and cash flows. Results come back as the same JSON documents
# `clo-xl ... --json` prints, or as pandas DataFrames. This example runs on the sample workbook that ships
# with clo-xl; it is executed when the documentation is built, so every output below is real.

# %%
import pandas as pd

from clo_xl.api import DealSession
from clo_xl.quirk_warnings import warning_lines
from clo_xl.sample import sample_workbook

pd.set_option("display.width", 120)
pd.set_option("display.float_format", lambda v: f"{v:,.4f}")
session = DealSession.from_workbook(sample_workbook(), "Mag 17")
print(session.deal, session.deal_inputs.analysis_date)

# %% [markdown]
# ## Headline measures
# Each is the figure of the compliance test whose rules compute it: WARF (test 36), the weighted average
# spread as a decimal, WAL in years, Moody's diversity score.

# %%
print(
    f"WARF {session.warf():,.1f} · WAS {session.was():.3%} · WAL {session.wal():.2f} years · "
    f"diversity {session.diversity():.2f}"
)

# %% [markdown]
# ## Every compliance test as a DataFrame
# Indexed by test number, in the deal's threshold-table order; ratios are decimals, money in deal
# currency; `cushion` is the room to the threshold in the passing direction.

# %%
tests = session.compliance().to_pandas()
shown = tests.assign(name=tests["name"].str.slice(0, 40))
print(shown[["name", "min_max", "threshold", "result", "pass", "cushion"]].head(8).to_string())

# %% [markdown]
# The tightest tests, and the ones failing:

# %%
ratios = tests[~tests.index.isin([35, 36, 37, 38, 54])]  # the tests whose result is a share of par
print(shown.loc[ratios.nsmallest(3, "cushion").index, ["name", "result", "threshold", "cushion"]].to_string())
print("failing:", list(tests.index[~tests["pass"]]))

# %% [markdown]
# ## Legacy against corrected
# `legacy` (the default) reproduces each legacy defect that changes a published figure; `corrected` fixes
# them. The document lists under `warnings` the switches that moved a figure of this run.

# %%
corrected = session.compliance("corrected").to_pandas()
moved = (corrected["result"] - tests["result"]).abs() > 1e-12
print(pd.DataFrame({"legacy": tests["result"], "corrected": corrected["result"]})[moved].to_string())
for line in warning_lines(session.compliance_document())[:3]:
    print(line)

# %% [markdown]
# ## Cash flows
# One run through the deal's priority of payments; `to_pandas()` gives the periods, each class by period,
# every payment, the coverage tests and a summary per class.

# %%
frames = session.cashflow_run().to_pandas()
print(frames.summary[["irr", "wal", "modified_duration", "total_cash"]].to_string())
first = frames.periods.iloc[0]
print(
    f"first payment date {first['payment_date']:%Y-%m-%d}: interest {first['interest_proceeds']:,.2f}, "
    f"principal {first['principal_proceeds']:,.2f}"
)

# %% [markdown]
# Cash is conserved in every period: payments + reinvested + carried = interest + principal proceeds.

# %%
paid = frames.payments.groupby("period")["amount"].sum()
periods = frames.periods
gap = (
    paid
    + periods["reinvested"]
    + periods["carried"]
    - periods["interest_proceeds"]
    - periods["principal_proceeds"]
)
print(f"largest gap over {len(periods)} periods: {gap.abs().max():.6f}")

# %% [markdown]
# ## A workbook an analyst can open
# The report helpers write the same tables with Excel number formats, a frozen header and a filter.

# %%
import tempfile
from pathlib import Path

from clo_xl.report.formats import Column, Kind
from clo_xl.report.xlsx import SheetSpec, write_workbook

rows = [[n, r["name"], r["threshold"], r["result"], bool(r["pass"])] for n, r in ratios.iterrows()]
out = write_workbook(
    Path(tempfile.mkdtemp()) / "mag17-tests.xlsx",
    {
        "Mag 17 tests": SheetSpec(
            [
                Column("Test", Kind.INTEGER),
                Column("Name", width=60),
                Column("Threshold", Kind.RATIO),
                Column("Result", Kind.RATIO),
                Column("Pass", Kind.PASS_FAIL),
            ],
            rows,
        )
    },
)
print(out.name, out.stat().st_size > 0)
