"""Compare two package folders file by file, byte for byte (issue #12: a faster package must be the same).

    python bench/same_package.py BEFORE_DIR AFTER_DIR

Prints IDENTICAL, or each file that differs or is only in one folder (exit 1).
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> None:
    before, after = (digests(Path(arg)) for arg in sys.argv[1:3])
    problems = [f"only in {sys.argv[1]}: {n}" for n in sorted(before.keys() - after.keys())]
    problems += [f"only in {sys.argv[2]}: {n}" for n in sorted(after.keys() - before.keys())]
    problems += [f"differs: {n}" for n in sorted(before.keys() & after.keys()) if before[n] != after[n]]
    print("\n".join(problems) if problems else f"IDENTICAL ({len(before)} files)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
