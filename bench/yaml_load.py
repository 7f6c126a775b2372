"""CPU and wall time of the guarded YAML loader (scc.yamlsafe) on a large manifest stream and on the rule packs.

    python bench/yaml_load.py [--pure] [--runs N]

Cases: a generated ``helm template``-like stream of 9,000 Deployment documents (about 6 MiB, under the
manifest reader's 8 MiB and 10,000-document caps) through ``load_all_text`` and through the Kubernetes
manifest reader, and every shipped rule pack through ``load_rule_packs``. ``--pure`` forces the pure-Python
loader (what scc uses when PyYAML has no libyaml). Prints the best of N runs of CPU (user+sys of this
process) and wall time; run it on an idle machine for comparable wall figures.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DOCUMENTS = 9_000

DEPLOYMENT = """---
# Source: fleet/templates/svc-{n}.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{n:05d}
  namespace: team-{team:02d}
spec:
  selector:
    matchLabels: {{app: svc-{n:05d}}}
  template:
    metadata:
      labels: {{app: svc-{n:05d}}}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: {uid}
        seccompProfile: {{type: RuntimeDefault}}
      containers:
        - name: app
          image: "reg.example.mil/svc-{n:05d}@sha256:{digest}"
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {{drop: [ALL]}}
          resources:
            limits: {{cpu: 500m, memory: 256Mi}}
"""


def stream(documents: int = DOCUMENTS) -> str:
    """A deterministic multi-document manifest stream (``documents`` Deployments)."""
    return "".join(DEPLOYMENT.format(n=n, team=n % 40, uid=10_000 + n, digest=f"{n:064x}") for n in range(documents))


def best(label: str, action: Callable[[], object], runs: int) -> None:
    cpu, wall = [], []
    for _ in range(runs):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        action()
        cpu.append(time.process_time() - cpu0)
        wall.append(time.perf_counter() - wall0)
    print(f"{label:52} CPU {min(cpu):7.3f} s   wall {min(wall):7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pure", action="store_true", help="force the pure-Python loader")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    import yaml

    from scc import yamlsafe
    from scc.engine.rules import load_rule_packs
    from scc.facts.deploy.kubernetes import KubernetesManifestReader
    from scc.facts.source import InputDocument

    if options.pure and hasattr(yamlsafe, "_LIBYAML"):
        yamlsafe._LIBYAML = False  # bench only: measure the fallback on a PyYAML that has libyaml
    libyaml = getattr(yamlsafe, "_LIBYAML", False)
    print(f"PyYAML {yaml.__version__}, loader: {'libyaml (C)' if libyaml else 'pure Python'}")

    text = stream()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fleet.yaml"
        path.write_text(text, encoding="utf-8")
        size = path.stat().st_size / (1 << 20)
        best(f"load_all_text, {DOCUMENTS:,} documents, {size:.1f} MiB",
             lambda: yamlsafe.load_all_text(text), options.runs)
        reader = KubernetesManifestReader()
        best("Kubernetes manifest reader, same stream", lambda: reader.read(InputDocument(path)), options.runs)
    best("load_rule_packs() (controls/ and stig/)", load_rule_packs, options.runs)


if __name__ == "__main__":
    main()
