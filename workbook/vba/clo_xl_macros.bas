Attribute VB_Name = "clo_xl_macros"
' clo-xl: the Run Model buttons.
'
' Each button runs one of these macros; each macro hands over to Python through xlwings' RunPython,
' and the Python handler (clo_xl.excel.buttons) works on this workbook through the workbook-access
' interface. No business logic lives in VBA any more: the legacy modules (ComplianceHypo, UserInterface,
' ConcentrationTest, ...) are retired.
'
' Source of truth: workbook/vba/clo_xl_macros.bas in the clo-xl repository. The built TradeHypo.xlsm is
' assembled from this file by workbook/build.py; edit the text file, not the module in the VBA editor.
' The interpreter and the Python path come from the xlwings.conf sheet (see workbook/README.md).
Option Explicit

' Runs when the workbook is opened by a user: registers the CLO_ function help for the function wizard.
Public Sub Auto_Open()
    RegisterCloXlFunctionHelp
End Sub

' Run Compliance: the deal in Run Model!C9 (or every deal for "All") -> Compliance-<Deal> tabs.
Public Sub RunCompliance()
    RunPython "import clo_xl.excel.buttons as b; b.run_compliance()"
End Sub

' Run Hypo: the trades in Run Model!J11:N39 for the deal in C9 -> HYPO-<Deal>-Output.
Public Sub RunHypo()
    RunPython "import clo_xl.excel.buttons as b; b.run_hypo()"
End Sub

' Run Rankings: buy or sale candidates ranked by the objective function -> Rankings-Output.
Public Sub RunRankings()
    RunPython "import clo_xl.excel.buttons as b; b.run_rankings()"
End Sub

' Run Rebalancing: sale and buy loops towards the E11/E12 targets -> Rebalance-Output.
Public Sub RunRebalancing()
    RunPython "import clo_xl.excel.buttons as b; b.run_rebalancing()"
End Sub

' Run Cash Flows: the deal's projection and waterfall -> Deal CF-<Deal>.
Public Sub RunCashFlows()
    RunPython "import clo_xl.excel.buttons as b; b.run_cash_flows()"
End Sub

' Run Credit Migration: rating-migration simulation (Run Model C15:C20) -> RM-<Deal>.
Public Sub RunCreditMigration()
    RunPython "import clo_xl.excel.buttons as b; b.run_credit_migration()"
End Sub

' Refresh from DB: replace the input sheets with the latest data in PostgreSQL.
Public Sub RefreshFromDB()
    RunPython "import clo_xl.excel.buttons as b; b.refresh_from_db()"
End Sub

' Save to DB: store this workbook's inputs in PostgreSQL (all or nothing).
Public Sub SaveToDB()
    RunPython "import clo_xl.excel.buttons as b; b.save_to_db()"
End Sub

' Validate: the parallel run - recompute every legacy result on the output tabs and list the breaks.
Public Sub RunValidate()
    RunPython "import clo_xl.excel.buttons as b; b.validate()"
End Sub

' Delete Output Tabs: every tab the runs create (HYPO-, Rankings-, Compliance-, Deal CF-, ...).
Public Sub DeleteOutputTabs()
    RunPython "import clo_xl.excel.buttons as b; b.delete_output_tabs()"
End Sub
