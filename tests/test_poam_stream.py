"""oscal-poam.json written weakness by weakness (issue #12, memory): the same bytes as the whole document, and
the PDF's POA&M summary the same as poam_view of that document, with and without FedRAMP's additions."""
from __future__ import annotations

import pytest
from conftest import example_without_content

from scc.writers import oscal_poam
from scc.writers._poam_view import poam_view
from scc.writers.ssp_pdf import finding_states


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    with example_without_content(tmp_path_factory) as assessed:
        yield assessed.report


def whole(report) -> bytes:
    return oscal_poam.serialise_document(oscal_poam.build_poam(report), one_per_line=oscal_poam.PER_WEAKNESS)


@pytest.mark.parametrize("fedramp", [False, True], ids=["nist", "fedramp"])
def test_the_streamed_poam_and_its_summary_are_those_of_the_whole_document(report, monkeypatch, fedramp):
    if fedramp:
        import scc.content.registry

        monkeypatch.setattr(scc.content.registry, "is_fedramp", lambda baseline: True)
        monkeypatch.setattr(oscal_poam, "is_fedramp", lambda baseline: True)
    assert len(report.remediation_items) > 3
    streamed = oscal_poam.WRITER.render(report)
    assert streamed == whole(report)
    assert (b"POAM-ID" in streamed) is fedramp
    states = finding_states(report)
    assert oscal_poam.poam_summary(report, states) == poam_view(oscal_poam.build_poam(report), states)


def test_weaknesses_sharing_a_uuid_are_written_from_the_whole_document(report, monkeypatch):
    shared = "00000000-0000-4000-8000-000000000000"
    monkeypatch.setattr(oscal_poam, "_observation_uuid", lambda r, entry: shared)
    with pytest.raises(oscal_poam.SharedUuid):
        list(oscal_poam.weaknesses(report))
    written = oscal_poam.WRITER.render(report)
    assert written == whole(report) and written.count(shared.encode()) > 3
