"""The Excel bridge: xlwings UDFs, Run Model button handlers and the workbook-access interface.

Thin by design: parse what Excel hands over, call the core, format what goes back. Nothing here holds
business logic; the core (compliance, cash flows, ratings) never imports this package.
"""
