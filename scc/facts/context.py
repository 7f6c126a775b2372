"""ReadContext: everything a reader consults besides the document itself, passed in, never global.

    context = ReadContext.from_env(keys=load_verification_keys([Path("cosign.pub")]))
    facts = scc.facts.read_inputs(paths, context=context)

One frozen value per run: the public keys signatures are verified against, the size caps that stop
hostile inputs early, the platform chosen from a multi-platform image, where temporary files go,
and the progress reporter each input's reading is announced to. Readers reach it as ``doc.context`` (every InputDocument carries one; a document embedded in
another carries its parent's). ``from_env`` reads the SCC_* environment variables the CLI documents
at the moment it is called; nothing is read at import time and nothing is kept between runs.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scc.progress import NO_PROGRESS, Progress

if TYPE_CHECKING:
    from scc.facts.provenance.signing import VerificationKey

DEFAULT_MAX_INPUT_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_ATTESTATION_LINE_CHARS = 256 * 1024 * 1024
DEFAULT_PLATFORM = "linux/amd64"


def _env_int(environ: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(environ.get(name, "") or default)
    except ValueError:
        return default


@dataclass(frozen=True)
class ImageLimits:
    """What one image may inflate to (SCC_MAX_IMAGE_BYTES, SCC_MAX_IMAGE_FILES, SCC_MAX_LAYER_RATIO)."""

    max_bytes: int = 8 * 1024 ** 3
    max_files: int = 500_000
    max_ratio: int = 250

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ImageLimits:
        """The limits with the environment's overrides (a value that is not a number keeps the default)."""
        env = os.environ if environ is None else environ
        return cls(_env_int(env, "SCC_MAX_IMAGE_BYTES", cls.max_bytes),
                   _env_int(env, "SCC_MAX_IMAGE_FILES", cls.max_files),
                   _env_int(env, "SCC_MAX_LAYER_RATIO", cls.max_ratio))


@dataclass(frozen=True)
class ReadContext:
    """How inputs are read: verification keys, size caps, platform and temporary directory."""

    keys: tuple[VerificationKey, ...] = ()        # the user's --key PEMs, parsed (signing.load_verification_keys)
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES                   # SCC_MAX_INPUT_BYTES
    max_attestation_line_chars: int = DEFAULT_MAX_ATTESTATION_LINE_CHARS   # SCC_MAX_ATTESTATION_LINE_CHARS
    image_limits: ImageLimits = field(default_factory=ImageLimits)
    platform: str = DEFAULT_PLATFORM              # SCC_PLATFORM: which image of a multi-platform index
    workdir: str | None = None                    # SCC_WORKDIR: where inflated images / rpmdb copies go
    #: files and folders this run uses as settings (overrides, attestations, profile, keys, SSP templates):
    #: an evidence folder that holds one skips it silently, since it was used, not passed over
    settings_files: frozenset[Path] = frozenset()
    #: where "reading X (N MB)" phases go (scc.progress; the CLI shows them on a terminal)
    progress: Progress = field(default=NO_PROGRESS, compare=False, repr=False)
    #: processes the facts boundary may share a large input's census of strings with (scc.forking); the same facts
    jobs: int = field(default=1, compare=False)

    def is_setting(self, path: Path) -> bool:
        """True when ``path`` is one of the run's settings files, or lies inside a settings folder."""
        resolved = path.resolve()
        return any(resolved == s or s in resolved.parents for s in self.settings_files)

    @classmethod
    def from_env(cls, keys: tuple[VerificationKey, ...] = (),
                 environ: Mapping[str, str] | None = None) -> ReadContext:
        """A context with ``keys`` and the caps, platform and workdir the SCC_* environment sets now."""
        env = os.environ if environ is None else environ
        return cls(
            keys=tuple(keys),
            max_input_bytes=_env_int(env, "SCC_MAX_INPUT_BYTES", DEFAULT_MAX_INPUT_BYTES),
            max_attestation_line_chars=_env_int(env, "SCC_MAX_ATTESTATION_LINE_CHARS",
                                                DEFAULT_MAX_ATTESTATION_LINE_CHARS),
            image_limits=ImageLimits.from_env(env),
            platform=env.get("SCC_PLATFORM", "").strip() or DEFAULT_PLATFORM,
            workdir=env.get("SCC_WORKDIR") or None,
        )
