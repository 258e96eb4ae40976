"""Sources of the sample workbook: the seeded data generator and the XlsxWriter build script."""
