"""The scc package has no import cycle: between modules, and between its parts (scc.facts, scc.engine,
scc.writers, scc.content, scc.report, scc.assessment, ...).

The graph is read from the source with ast, so it sees every import a module can run: module-level
ones and those inside functions alike. Imports under ``if TYPE_CHECKING:`` are left out (they are for
the type checker and never run). ``import a.b`` and ``from a.b import c`` are edges to the module named
(``a.b.c`` when ``c`` is a module), not to the packages above it, the way import-linter/grimp count.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "scc"


def module_names(root: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> source file, for every module of the package (packages by their __init__)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement at any depth, except the bodies of ``if TYPE_CHECKING:`` (their else runs)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _this_and_below(child)
            continue
        yield from _this_and_below(node)


def _this_and_below(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    yield from import_nodes(node)


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module of the package a dotted name refers to (its longest prefix that is a module), else None."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imported_modules(module: str, modules: dict[str, Path]) -> set[str]:
    """The package's modules ``module`` imports."""
    path = modules[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in import_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        targets.update(t for t in (_resolve(n, modules) for n in names) if t is not None)
    targets.discard(module)
    return targets


def module_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    modules = module_names(root)
    return {name: imported_modules(name, modules) for name in modules}


def part_of(module: str) -> str:
    """The part of the package a module belongs to: scc.engine.checks.fips -> scc.engine, scc.report -> itself."""
    return ".".join(module.split(".")[:2])


def part_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    parts: dict[str, set[str]] = {}
    for module, targets in graph.items():
        parts.setdefault(part_of(module), set()).update(part_of(t) for t in targets)
    for part, targets in parts.items():
        targets.discard(part)
    return parts


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The components of more than one node (Tarjan's algorithm, iteratively), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def one_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A concrete cycle through a strongly connected component: a -> b -> ... -> a."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    return [*paths[node], start]
                if child not in paths:
                    paths[child] = [*paths[node], child]
                    following.append(child)
        frontier = following
    return component


def cycle_report(graph: dict[str, set[str]]) -> list[str]:
    return [" -> ".join(one_cycle(graph, c)) + f"  ({len(c)} modules in the cycle set)"
            for c in strongly_connected(graph)]


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return module_graph()


def test_the_graph_sees_the_imports_scc_has(graph):
    # module-level, function-level and TYPE_CHECKING imports of modules whose code is known
    assert "scc.report" in graph["scc.engine.pipeline"]                 # module level
    assert "scc.engine.rules" in graph["scc.assessment"]               # inside a function
    assert "scc.report" not in graph["scc.writers.interface"]          # only under TYPE_CHECKING
    assert "scc.facts.model" in graph["scc.report"]


def test_cycle_finder_names_a_cycle():
    toy = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycle_report(toy) == ["a -> b -> c -> a  (3 modules in the cycle set)"]
    assert cycle_report({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_through_others(graph):
    cycles = cycle_report(graph)
    assert not cycles, "import cycles between modules:\n" + "\n".join(cycles)


def test_no_part_of_the_package_imports_itself_through_others(graph):
    cycles = cycle_report(part_graph(graph))
    assert not cycles, "import cycles between the parts of scc:\n" + "\n".join(cycles)


def test_writers_never_import_the_engine(graph):
    offending = sorted((m, t) for m, targets in graph.items() if m.startswith("scc.writers")
                       for t in targets if t == "scc.engine" or t.startswith("scc.engine."))
    assert offending == []
