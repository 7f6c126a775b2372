"""The eMASS POA&M import template's layout, written out as data (the template itself is not shipped).

Taken cell by cell from the eMASS POA&M template (the ``POAMTemplate`` that MITRE SAF 1.5.3 fills in
``saf convert ckl2POAM``), sheet "POA&M":

* row 1 (A1:V1 merged): the classification banner, "***** <marking> *****";
* rows 2-6: the system header block, labels in merged cells (A:C, J, M) and their values to the right
  (D:I, K:L, N:P);
* row 7: the column titles from B ("POA&M Item ID") to V ("Recommendations"), spelt as the template
  spells them (a trailing space in "Source Identifying Vulnerability ", a leading one in " Raw Severity");
* from row 8: one item per row, its further milestones in column I of the rows below it.

Allowed values are the template's hidden list sheet: Very Low ... Very High (Severity, Relevance of
Threat, Likelihood, Impact, Residual Risk Level), the five statuses, and raw severity I / II / III.
tests/test_writer_xlsx.py compares all of this with the real template.
"""
from __future__ import annotations

SHEET_TITLE = "POA&M"
LISTS_SHEET_TITLE = "Sheet1"          # the template's hidden sheet of allowed values
BANNER_CELL = "A1"
BANNER_MERGE = "A1:V1"
HEADER_ROW = 7
FIRST_ITEM_ROW = 8

#: header block: (label cell, label, label merge or None, value merge) -- values go in the value merge's first cell
HEADER_FIELDS: tuple[tuple[str, str, str | None, str], ...] = (
    ("A2", "Date Exported:", "A2:C2", "D2:I2"),
    ("A3", "Exported By:", "A3:C3", "D3:I3"),
    ("A4", "DoD Component:", "A4:C4", "D4:I4"),
    ("A5", "System / Project Name:", "A5:C5", "D5:I5"),
    ("A6", "DoD IT Registration No:", "A6:C6", "D6:I6"),
    ("J2", "System Type:", "J2:J3", "K2:L3"),
    ("J4", "POC Name:", None, "K4:L4"),
    ("J5", "POC Phone:", None, "K5:L5"),
    ("J6", "POC E-Mail:", None, "K6:L6"),
    ("M2", "OMB Project ID:", "M2:M3", "N2:P3"),
    ("M5", "Security Costs:", None, "N5:P5"),
)
#: merged cells of the header block that hold nothing in the template
EMPTY_MERGES = ("M4:P4", "M6:P6")

#: the template also has this title in A7 (left of the table); kept so the sheet matches cell for cell
A7_TITLE = "Control Vulnerability Description"
#: column letter -> title, row 7
COLUMNS: tuple[tuple[str, str], ...] = (
    ("B", "POA&M Item ID"),
    ("C", "Control Vulnerability Description"),
    ("D", "Security Control Number (NC/NA controls only)"),
    ("E", "Office/Org"),
    ("F", "Security Checks"),
    ("G", "Resources Required"),
    ("H", "Scheduled Completion Date"),
    ("I", "Milestone with Completion Dates"),
    ("J", "Milestone Changes"),
    ("K", "Source Identifying Vulnerability "),
    ("L", "Status"),
    ("M", "Comments"),
    ("N", " Raw Severity"),
    ("O", "Mitigations"),
    ("P", "Severity"),
    ("Q", "Relevance of Threat"),
    ("R", "Likelihood"),
    ("S", "Impact"),
    ("T", "Impact Description"),
    ("U", "Residual Risk Level"),
    ("V", "Recommendations"),
)
#: column widths of the template (characters)
WIDTHS = {"A": 17.16, "B": 14.5, "C": 34.5, "D": 18.5, "E": 18.5, "F": 18.5, "G": 15.5, "H": 25.5, "I": 15.16,
          "J": 16, "K": 21.5, "L": 24.66, "M": 25.16, "N": 17.16, "O": 16.16, "P": 19, "Q": 19, "R": 19, "S": 19,
          "T": 27.5, "U": 19, "V": 30.5}

RISK_LEVELS = ("Very Low", "Low", "Moderate", "High", "Very High")
STATUSES = ("Completed", "Ongoing", "Not Applicable", "Archived", "Risk Accepted")
RAW_SEVERITIES = ("I", "II", "III")
#: where the allowed values sit on the list sheet (column, first row) and the data cells they validate
LISTS = (
    ("B", RISK_LEVELS, "P8:S1048576 U8:U1048576"),
    ("D", STATUSES, None),             # the template lists the statuses without validating column L
    ("F", RAW_SEVERITIES, "N8:N1048576"),
)
LIST_FIRST_ROW = 2
DATE_FORMAT = "mm/dd/yyyy"

