"""CCI -> NIST SP 800-53 rev5 controls, through the DISA CCI list of the content snapshot.

XCCDF scan results carry the CCIs their rules name, as the scanner wrote them; which controls those
CCIs implement is decided here, from the CCI list the caller passes in (the engine never reaches for
a content store itself). Without a CCI list, scan results map to no control, and one note says so.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scc.content.model import CciList

#: a CCI id -> its 800-53 rev5 control ids (lower-case OSCAL ids), sorted
CciControls = Callable[[str], tuple[str, ...]]

NO_CCI_LIST_NOTE = (
    "XCCDF results: no DISA CCI list in the content store; rule results carry CCIs but no "
    "800-53 controls (run `scc content fetch` or import U_CCI_List.xml)"
)


def cci_mapping(cci_list: CciList) -> CciControls:
    """The mapping of a parsed DISA CCI list (scc.content.model.CciList): its rev5 references, else rev4
    (as scc.content.disa.controls_for_cci reads them; not imported, so the engine needs no content code)."""

    def controls(cci_id: str) -> tuple[str, ...]:
        cci = cci_list.get(cci_id)
        return tuple(sorted(set(cci.rev5 or cci.rev4))) if cci is not None else ()

    return controls


def controls_for_ccis(ccis: Iterable[str], mapping: CciControls | None) -> tuple[str, ...]:
    """The controls of ``ccis`` in CCI order, each once; () without a mapping."""
    if mapping is None:
        return ()
    return tuple(dict.fromkeys(control for cci in ccis for control in mapping(cci)))
