"""The PDF System Security Plan, rendered from the OSCAL SSP (one source of truth) by WeasyPrint.

``render_ssp_pdf(ssp, poam, notes, marking)`` lays out an OSCAL system-security-plan (JSON dict), the
POA&M summary from an OSCAL plan-of-action-and-milestones, the input-reading notes and the marking:
the PDF says nothing those documents do not (scc.writers._ssp_view reads them), except the engine's
finding states the POA&M cannot hold (``findings``: closed findings, overdue items; ``finding_states``).
The findings are summarised, never all listed: the page count does not grow with them beyond a
bounded list of the most severe and overdue items (scc.writers._poam_view). The writer builds the
SSP with ``scc.writers.oscal_ssp.build_ssp``, the same dict ssp.json is written from.

Organisations override blocks of templates/ssp.html.j2 by template inheritance: a directory given as
``Settings.templates`` (``scc package --templates DIR``) whose ``ssp.html.j2`` starts with
``{% extends "scc/ssp.html.j2" %}`` (docs/ssp.md has an example).

Safety: templates render in Jinja's immutable sandbox with autoescaping (input values are data, never
markup or template code); the loader reads only the shipped templates and the given directory; and
WeasyPrint gets a URL fetcher serving only regular files inside those two directories (no file:// outside
them, no http(s)://, no data:), so a hostile name can neither inject markup nor make the renderer fetch.

Determinism: the PDF's dates are the SSP's last-modified time and its /ID a digest of the page
rendered from the documents, so identical inputs give byte-identical files. WeasyPrint and Jinja are imported only here.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from scc.errors import SccError
from scc.gcpause import collector_paused
from scc.resources import pack_dir
from scc.writers._ssp_view import ControlText, ssp_view
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.report import Report

TEMPLATE = "ssp.html.j2"
BASE_PREFIX = "scc"          # {% extends "scc/ssp.html.j2" %} always names the shipped template
_MEDIA_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2",
                ".ttf": "font/ttf", ".otf": "font/otf"}


class TemplateProblem(SccError):
    """An organisation's SSP template directory that cannot be used (names the directory and the problem)."""


def _environment(templates_dir: Path | None) -> Any:
    from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    shipped = FileSystemLoader(str(pack_dir("templates")))
    loaders = [FileSystemLoader(str(templates_dir))] if templates_dir else []
    return ImmutableSandboxedEnvironment(
        loader=ChoiceLoader([*loaders, PrefixLoader({BASE_PREFIX: shipped}), shipped]),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def render_ssp_html(ssp: dict[str, Any], poam: dict[str, Any] | None, notes: list[str], marking: str, *,
                    control_text: ControlText | None = None, templates_dir: Path | None = None,
                    findings: dict[str, Any] | None = None, poam_summary: dict[str, Any] | None = None) -> str:
    """The SSP as HTML (the input WeasyPrint lays out); ``poam_summary``: the POA&M chapter's data made
    already, in place of ``poam`` (scc.writers._ssp_view.ssp_view)."""
    from jinja2 import TemplateError

    if templates_dir is not None and not Path(templates_dir).is_dir():
        raise TemplateProblem(f"{templates_dir}: not a directory of SSP templates")
    view = ssp_view(ssp, poam, notes, marking, control_text, findings, poam_summary)
    view["local_assets"] = Path(templates_dir).resolve().as_uri() + "/" if templates_dir else ""
    try:
        html: str = _environment(templates_dir).get_template(TEMPLATE).render(view)
        return html
    except TemplateError as exc:
        where = f"{templates_dir}: " if templates_dir else ""
        lineno = getattr(exc, "lineno", None)
        line = f" (line {lineno})" if lineno else ""
        raise TemplateProblem(f"{where}SSP template error{line}: {exc.message or exc}") from exc
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:
        if templates_dir is None:
            raise                  # the shipped template failing is scc's bug (exit 3), not the user's
        raise TemplateProblem(f"{templates_dir}: SSP template failed: {type(exc).__name__}: {exc}") from exc


def render_ssp_pdf(ssp: dict[str, Any], poam: dict[str, Any] | None, notes: list[str], marking: str, *,
                   control_text: ControlText | None = None, templates_dir: Path | None = None,
                   findings: dict[str, Any] | None = None, poam_summary: dict[str, Any] | None = None,
                   fetcher: Any = None) -> bytes:
    """The SSP PDF; ``findings`` is the engine's finding states the POA&M does not hold (``finding_states``;
    without it the summary counts the POA&M's items only); ``fetcher`` (default: shipped templates and
    ``templates_dir`` only) is exposed for tests."""
    page = render_ssp_html(ssp, poam, notes, marking, control_text=control_text, templates_dir=templates_dir,
                           findings=findings, poam_summary=poam_summary)
    return pdf_of_page(page, templates_dir, fetcher)


def pdf_of_page(page: str, templates_dir: Path | None = None, fetcher: Any = None) -> bytes:
    """WeasyPrint's layout of the SSP HTML ``page`` (render_ssp_html) as the PDF's bytes."""
    from weasyprint import HTML

    shipped = pack_dir("templates").resolve()
    roots = [shipped, *([Path(templates_dir).resolve()] if templates_dir else [])]
    fetcher = fetcher or asset_fetcher(*roots)
    # the page is a function of every document rendered (and far smaller than the POA&M at scale)
    identifier = hashlib.sha256(b"scc-ssp/" + page.encode()).hexdigest()[:32].encode()
    # WeasyPrint's parsed page, boxes and styles are hundreds of thousands of objects that live until the PDF
    # is written: collections meanwhile only walk them (134 pages laid out in 7.2 s paused, 8.5-9.6 s not)
    with collector_paused():
        html = HTML(string=page, base_url=shipped.as_uri() + "/", url_fetcher=fetcher)
        pdf: bytes = html.write_pdf(pdf_identifier=identifier, uncompressed_pdf=False)
    return pdf


def asset_fetcher(*roots: Path) -> Any:
    """A WeasyPrint URL fetcher serving only regular files under ``roots``; it records every request."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
            self.roots = [Path(r).resolve() for r in roots]
            self.requested: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: object = None) -> Any:
            self.requested.append(url)
            path = self._local_path(url)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"scc's SSP renderer refuses to fetch {url[:200]!r}")
            return URLFetcherResponse(url, path.read_bytes(),
                                      {"Content-Type": _MEDIA_TYPES.get(path.suffix, "application/octet-stream")})

        def _local_path(self, url: str) -> Path | None:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                return None
            path = Path(url2pathname(parts.path)).resolve()
            if not any(root in path.parents for root in self.roots) or not path.is_file():
                return None
            return path

    return AssetFetcher()


# -- the writer: an assessment -> its OSCAL SSP and POA&M -> the PDF ---------------------------------


def ssp_document(report: Report) -> dict[str, Any]:
    """The OSCAL SSP the PDF renders: the very document ssp.json holds (scc.writers.oscal_ssp)."""
    from scc.writers.oscal_ssp import build_ssp

    return build_ssp(report)


def poam_document(assessment: Report) -> dict[str, Any]:
    """The OSCAL POA&M the PDF summarises: the very document oscal-poam.json holds (built, not re-read).
    The writer summarises it weakness by weakness instead (``poam_summary`` in :func:`pdf_inputs`)."""
    from scc.writers.oscal_poam import build_poam

    return build_poam(assessment)


def catalog_text(assessment: Report) -> ControlText:
    """control id -> (label, title, statement text) from the catalog the SSP's baseline resolves to."""
    from scc.writers._content import official_control

    def lookup(control_id: str) -> tuple[str, str, str] | None:
        control = official_control(assessment, control_id)
        if control is None:
            return None
        return (control.label or control_id.upper(), control.title, control.statement_text)

    return lookup


def finding_states(assessment: Report) -> dict[str, Any]:
    """What the engine decided about the findings that the POA&M does not hold, as plain data:

    * ``closed``: every finding no longer open (Finding.is_open), its severity, package and closure:
      ``vex`` (a VEX statement closed it, as the SSP's SI-2 statement lists) or ``scanner`` (the scanner
      states it not affected or fixed);
    * ``overdue``: ``kind/identity`` -> days overdue, for each remediation item not risk-accepted whose
      remediation clock is past due at the assessment time (RemediationClock.is_overdue, the same test
      the SLA rule applies).
    """
    now = assessment.assessed_at
    closed = [{"severity": f.severity.value, "package": f.package, "closure": "vex" if f.vex is not None else "scanner"}
              for f in assessment.facts.findings if not f.is_open]
    overdue = {f"{item.kind}/{item.identity}": item.clock.days_overdue(now)
               for item in assessment.remediation_items if not item.risk_accepted and item.clock.is_overdue(now)}
    return {"closed": closed, "overdue": overdue}


def pdf_inputs(assessment: Report) -> dict[str, Any]:
    """The arguments of render_ssp_pdf for one assessment (the lead's wiring point)."""
    from scc.writers.oscal_poam import poam_summary
    from scc.writers.poam_xlsx import marking_text

    findings = finding_states(assessment)
    return {"ssp": ssp_document(assessment), "poam": None, "poam_summary": poam_summary(assessment, findings),
            "notes": list(assessment.notes), "marking": marking_text(assessment),
            "control_text": catalog_text(assessment),
            "templates_dir": assessment.settings.templates, "findings": findings}


def render_html(assessment: Report) -> str:
    """The SSP HTML of one assessment."""
    return render_ssp_html(**pdf_inputs(assessment))


def render_pdf(assessment: Report, fetcher: Any = None) -> bytes:
    """The SSP PDF of one assessment; ``fetcher`` lets tests inspect what WeasyPrint asked for. The documents
    are let go once the page is rendered from them (the POA&M of a large assessment is big)."""
    return pdf_of_page(render_html(assessment), assessment.settings.templates, fetcher)


class SspPdfWriter(Writer):
    name = "ssp-pdf"
    filename = "ssp.pdf"
    media_type = "application/pdf"
    order = 60
    format = "pdf"
    cost = 20

    def render(self, report: Report) -> bytes:
        return render_pdf(report)


WRITER = SspPdfWriter()
