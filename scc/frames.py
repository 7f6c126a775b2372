"""pandas DataFrames of a Report, for notebooks: one per view of scc.views, with types a reviewer can sort
and filter by (severity and verdict as ordered categoricals, dates as datetimes, flags as booleans).

pandas is imported only when a frame is asked for.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from scc.views import COLUMNS, SEVERITY_ORDER, VERDICT_ORDER, rows

if TYPE_CHECKING:
    import pandas

    from scc.report import Report

_DATE_COLUMNS = ("fix_available", "published", "first_seen", "due", "start")
_SEVERITY_COLUMNS = {"findings": "severity", "poam": "severity", "rules": "severity"}
_VERDICT_COLUMNS = {"controls": "status", "rules": "verdict"}
_RULE_SEVERITIES = ("high", "medium", "low")
CATS = ("CAT I", "CAT II", "CAT III")


def frame(report: Report, view: str) -> pandas.DataFrame:
    """The DataFrame of one view (controls, baseline, rules, findings, components, evidence, poam)."""
    import pandas as pd

    df = pd.DataFrame(rows(report, view), columns=list(COLUMNS[view]))
    for column in _DATE_COLUMNS:
        if column in df:
            df[column] = pd.to_datetime(df[column])
    if view in _SEVERITY_COLUMNS:
        order = _RULE_SEVERITIES if view == "rules" else SEVERITY_ORDER
        df[_SEVERITY_COLUMNS[view]] = _ordered(df[_SEVERITY_COLUMNS[view]], order)
    if view in _VERDICT_COLUMNS:
        df[_VERDICT_COLUMNS[view]] = _ordered(df[_VERDICT_COLUMNS[view]], VERDICT_ORDER)
    if "cat" in df:
        df["cat"] = pd.Categorical(df["cat"].where(df["cat"] != ""), categories=list(CATS), ordered=True)
    return df


def _ordered(series: pandas.Series, order: tuple[str, ...]) -> pandas.Series:
    """An ordered categorical, most severe / worst first; values outside the order keep their place after it."""
    import pandas as pd

    extra = sorted(set(series.dropna()) - set(order))
    return pd.Series(pd.Categorical(series, categories=[*order, *extra], ordered=True), index=series.index,
                     name=series.name)
