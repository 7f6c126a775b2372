"""deterministic_uuid sets the version-4 bits on the digest's bytes itself (issue #12: writers make about six
per finding); it must give exactly the text uuid.UUID(bytes=..., version=4) gives, for every name."""
from __future__ import annotations

import hashlib
import uuid

import pytest

from scc.report import _UUID_NAMESPACE, deterministic_uuid

hypothesis = pytest.importorskip("hypothesis")
given, st = hypothesis.given, hypothesis.strategies


def _by_the_uuid_module(name: str) -> str:
    digest = hashlib.sha256(f"{_UUID_NAMESPACE}/{name}".encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


@given(st.text(max_size=200))
def test_the_uuid_is_what_the_uuid_module_makes_of_the_same_digest(name):
    made = deterministic_uuid(name)
    assert made == _by_the_uuid_module(name)
    assert uuid.UUID(made).version == 4 and uuid.UUID(made).variant == uuid.RFC_4122


def test_every_value_of_the_version_and_variant_bytes_is_mended():
    # names whose digests put each of the 256 values in byte 6 and in byte 8, so every bit pattern is seen
    seen6, seen8, n = set(), set(), 0
    while len(seen6) < 256 or len(seen8) < 256:
        name = f"name-{n}"
        digest = hashlib.sha256(f"{_UUID_NAMESPACE}/{name}".encode()).digest()
        if digest[6] not in seen6 or digest[8] not in seen8:
            assert deterministic_uuid(name) == _by_the_uuid_module(name)
        seen6.add(digest[6])
        seen8.add(digest[8])
        n += 1
