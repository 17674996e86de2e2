#!/usr/bin/python3
"""Print a workbook's first sheet as JSON, read by openpyxl (a spreadsheet
library that is not coopledger's): every row's values (dates as
YYYY-MM-DD, numbers as numbers), each cell's number format, the frozen
pane and whether the header is bold.  Usage: read_xlsx.py FILE.xlsx"""
import datetime
import json
import sys

import openpyxl

book = openpyxl.load_workbook(sys.argv[1])
sheet = book.worksheets[0]
rows, formats = [], []
for row in sheet.iter_rows():
    values = []
    for cell in row:
        v = cell.value
        if isinstance(v, datetime.datetime):
            v = v.date().isoformat()
        values.append(v)
    rows.append(values)
    formats.append([cell.number_format for cell in row])
print(json.dumps({
    "sheets": len(book.worksheets),
    "rows": rows,
    "formats": formats,
    "freeze": sheet.freeze_panes,
    "header_bold": all(c.font.b for c in next(sheet.iter_rows(max_row=1), [])),
}))
