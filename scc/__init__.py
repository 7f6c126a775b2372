"""scc: container image pipeline facts -> NIST 800-53 / DISA STIG accreditation evidence.

    import scc
    a = scc.assess(["sbom.cdx.json", "grype.json", "image-config.json"])
    a.controls_df()
    a.write_oscal("cd.json"); a.write_xccdf("r.xml"); a.write_pdf("ssp.pdf")

Importing scc is cheap: pandas, weasyprint and trestle load only when a call needs them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc._version import __version__

__all__ = ["Assessment", "InputError", "SccError", "Settings", "__version__", "assess", "diff"]

if TYPE_CHECKING:
    from scc.assessment import Assessment, Settings, assess
    from scc.errors import InputError, SccError
    from scc.posture import diff


def __getattr__(name: str) -> Any:
    if name in ("assess", "Assessment", "Settings"):
        from scc import assessment

        return getattr(assessment, name)
    if name == "diff":
        from scc.posture import diff

        return diff
    if name in ("SccError", "InputError"):
        from scc import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'scc' has no attribute {name!r}")
