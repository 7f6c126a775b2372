"""What the SSP writer's modules share: the FedRAMP namespace, JSON helpers and the uuids of parties
and components (a leaf module, so oscal_ssp, _ssp_parts and _ssp_controls import it and not each other)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.profile import NOT_PROVIDED
from scc.writers._oscal_common import one_line

if TYPE_CHECKING:
    from scc.report import Report


FEDRAMP_NS = "https://fedramp.gov/ns/oscal"


COMPONENT_STATES = ("operational", "under-development", "disposition", "other")


def plain(model: Any) -> Any:
    """A trestle model (from the shared OSCAL helpers) as its OSCAL JSON dict."""
    return model.model_dump(by_alias=True, exclude_none=True, mode="json")


def nv(name: str, value: object, ns: str | None = None, **extra: Any) -> dict[str, Any] | None:
    """An OSCAL prop dict (None for an empty value: OSCAL has no empty strings)."""
    from scc.writers._oscal_common import SCC_NS

    text = one_line(value, fallback="")
    if not text:
        return None
    return {"name": name, "ns": ns or SCC_NS, "value": text, **extra}


def kept(*items: Any) -> list[Any] | None:
    found = [item for item in items if item]
    return found or None


def compact(node: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None or an empty list (OSCAL arrays have minItems 1)."""
    return {k: v for k, v in node.items() if v is not None and v != []}


def component_uuid(assessment: Report, kind: str, name: str = "") -> str:
    """The uuid of one system-implementation component (this-system, image, leveraged, service...)."""
    return assessment.uuid("ssp-component", kind, name)


def party_uuid(assessment: Report, key: str) -> str:
    return assessment.uuid("ssp-party", key)


def user_role_id(role: str | None) -> str:
    """A user's role as an OSCAL token (lower case, words joined by '-')."""
    import re

    token = re.sub(r"[^a-z0-9_.-]+", "-", (role or "").strip().lower()).strip("-.")
    return token if token and (token[0].isalpha() or token[0] == "_") else (f"role-{token}" if token else "")


def system_name(assessment: Report) -> str:
    profile = assessment.profile
    return one_line(profile.name or assessment.settings.system_name or assessment.facts.identity.name,
                    fallback=NOT_PROVIDED, limit=300)


def fedramp_chosen(assessment: Report) -> bool:
    from scc.content.registry import is_fedramp

    return is_fedramp(assessment.settings.baseline)
