"""CCI -> NIST SP 800-53 rev5 controls, through the DISA CCI list of the content snapshot.

XCCDF scan results carry the CCIs their rules name, as the scanner wrote them; which controls those
CCIs implement is decided here, from the CCI list the caller passes in (the engine never reaches for
a content store itself). Without a CCI list, scan results map to no control, and one note says so.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

#: a CCI id -> its 800-53 rev5 control ids (lower-case OSCAL ids), sorted
CciControls = Callable[[str], tuple[str, ...]]

NO_CCI_LIST_NOTE = (
    "XCCDF results: no DISA CCI list in the content store; rule results carry CCIs but no "
    "800-53 controls (run `scc content fetch` or import U_CCI_List.xml)"
)


def cci_mapping(cci_list: Any) -> CciControls:
    """The mapping of a parsed DISA CCI list (scc.content.disa.CciList): rev5 references, else rev4."""
    from scc.content.disa import controls_for_cci

    return lambda cci_id: tuple(sorted(controls_for_cci(cci_list.get(cci_id))))


def controls_for_ccis(ccis: Iterable[str], mapping: CciControls | None) -> tuple[str, ...]:
    """The controls of ``ccis`` in CCI order, each once; () without a mapping."""
    if mapping is None:
        return ()
    return tuple(dict.fromkeys(control for cci in ccis for control in mapping(cci)))
