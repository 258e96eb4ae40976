Attribute VB_Name = "clo_xl_macros"
' clo-xl: the Run Model buttons.
'
' Each button runs one of these macros; each macro hands over to Python through xlwings' RunPython,
' and the Python handler (clo_xl.excel.buttons) works on this workbook through xlwings. No business logic
' lives in VBA any more: the legacy modules (ComplianceHypo, UserInterface, ConcentrationTest, ...) are
' retired.
'
' Every macro guards its RunPython call: when Python cannot be started (no interpreter configured, clo-xl
' not installed in it, the UDF server failing to start), the analyst gets a message box that says what to
' check, not the VBA debugger. Errors inside Python are reported by clo_xl.excel.buttons itself.
'
' Source of truth: workbook/vba/clo_xl_macros.bas in the clo-xl repository. The built TradeHypo.xlsm is
' assembled from this file by workbook/build.py; edit the text file, not the module in the VBA editor.
' The interpreter comes from the xlwings ribbon (or Interpreter_Win / Interpreter_Mac added to the
' xlwings.conf sheet; see workbook/README.md).
Option Explicit

' Runs when the workbook is opened by a user: registers the CLO_ function help for the function wizard.
' MacroOptions marks the workbook as changed; the saved state is put back, so closing an untouched
' workbook does not ask to save it.
Public Sub Auto_Open()
    Dim wasSaved As Boolean
    wasSaved = ThisWorkbook.Saved
    RegisterCloXlFunctionHelp
    ThisWorkbook.Saved = wasSaved
End Sub

' What the analyst sees when RunPython could not start Python (the macros' error handler).
Private Sub PythonDidNotStart(ByVal button As String, ByVal reason As String)
    Application.StatusBar = False
    Application.ScreenUpdating = True
    MsgBox "clo-xl could not start Python for " & button & ":" & vbLf & reason & vbLf & vbLf & _
        "Check the Python interpreter on the xlwings ribbon (or Interpreter_Win in the xlwings.conf sheet) " & _
        "and that clo-xl is installed in it (pip install clo-xl). Then try again.", vbExclamation, "clo-xl"
End Sub

' Run Compliance: the deal in Run Model!C9 (or every deal for "All") -> Compliance-<Deal> tabs.
Public Sub RunCompliance()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.run_compliance()"
    Exit Sub
failed:
    PythonDidNotStart "Run Compliance", Err.Description
End Sub

' Run Hypo: the trades in Run Model!J11:N39 for the deal in C9 -> HYPO-<Deal>-Output.
Public Sub RunHypo()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.run_hypo()"
    Exit Sub
failed:
    PythonDidNotStart "Run Hypo", Err.Description
End Sub

' Run Rankings: buy or sale candidates ranked by the objective function -> Rankings-Output.
Public Sub RunRankings()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.run_rankings()"
    Exit Sub
failed:
    PythonDidNotStart "Run Rankings", Err.Description
End Sub

' Run Rebalancing: sale and buy loops towards the E11/E12 targets -> Rebalance-Output.
Public Sub RunRebalancing()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.run_rebalancing()"
    Exit Sub
failed:
    PythonDidNotStart "Run Rebalancing", Err.Description
End Sub

' Run Cash Flows: the deal's projection and waterfall -> Deal CF-<Deal>.
Public Sub RunCashFlows()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.run_cash_flows()"
    Exit Sub
failed:
    PythonDidNotStart "Run Cash Flows", Err.Description
End Sub

' Run Credit Migration: rating-migration simulation (Run Model C15:C20) -> RM-<Deal>.
Public Sub RunCreditMigration()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.run_credit_migration()"
    Exit Sub
failed:
    PythonDidNotStart "Run Credit Migration", Err.Description
End Sub

' Run Analytics: break-evens, coverage with cushions, the collateral by period, the Sub Notes -> Analytics-<Deal>.
Public Sub RunAnalytics()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.run_analytics()"
    Exit Sub
failed:
    PythonDidNotStart "Run Analytics", Err.Description
End Sub

' Refresh from DB: replace the input sheets with the latest data in PostgreSQL.
Public Sub RefreshFromDB()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.refresh_from_db()"
    Exit Sub
failed:
    PythonDidNotStart "Refresh from DB", Err.Description
End Sub

' Save to DB: store this workbook's inputs in PostgreSQL (all or nothing).
Public Sub SaveToDB()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.save_to_db()"
    Exit Sub
failed:
    PythonDidNotStart "Save to DB", Err.Description
End Sub

' Validate: the parallel run - recompute every legacy result on the output tabs and list the breaks.
Public Sub RunValidate()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.validate()"
    Exit Sub
failed:
    PythonDidNotStart "Validate", Err.Description
End Sub

' Delete Output Tabs: every tab the runs create (HYPO-, Rankings-, Compliance-, Deal CF-, ...).
Public Sub DeleteOutputTabs()
    On Error GoTo failed
    RunPython "import clo_xl.excel.buttons as b; b.delete_output_tabs()"
    Exit Sub
failed:
    PythonDidNotStart "Delete Output Tabs", Err.Description
End Sub
