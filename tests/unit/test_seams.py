"""The seams between domains stay one-way: no import cycle between storefront packages, no view importing views.

The graph is read from the source (every `import` anywhere in a module, including inside functions), so a
deferred import cannot hide a cycle. Top-level modules are placed by what they are: `config` and
`extensions` sit below everything (like core); `__init__` (the app factory), `cli` and `models` sit above.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "storefront"
BASE_MODULES = {"config": "core", "extensions": "core"}   # infrastructure, part of the bottom layer
APP_MODULES = {"__init__", "cli", "models"}               # the assembly on top

# Back-edges still to remove (issue #12). A ratchet: the graph without them must be acyclic, and each one
# listed must still exist, so fixing one means deleting its line here and nothing new can creep in.
KNOWN_BACK_EDGES: set[tuple[str, str]] = set()


def _unit(parts: tuple[str, ...]) -> str:
    """The graph node of a module path relative to storefront/ (a package, or the app on top)."""
    if len(parts) > 1:
        return parts[0]
    name = parts[0].removesuffix(".py")
    return BASE_MODULES.get(name, "app")


def _module_parts(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).parts
    return list(rel[:-1]) if rel[-1] == "__init__.py" else [*rel[:-1], rel[-1].removesuffix(".py")]


def _imports(path: Path) -> list[list[str]]:
    """Every storefront module path (relative to storefront/) that a file imports."""
    here = _module_parts(path)
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = base + (node.module.split(".") if node.module else [])
                found.append(target + [a.name for a in node.names] if not node.module else target)
            elif node.module and node.module.split(".")[0] == "storefront":
                found.append(node.module.split(".")[1:])
        elif isinstance(node, ast.Import):
            found += [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == "storefront"]
    return [t for t in found if t]


def _source_files() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]


def import_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], set[str]]]:
    """Edges between packages, and for each edge the files that make it."""
    edges: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in _source_files():
        source = _unit(path.relative_to(ROOT).parts)
        for target in _imports(path):
            is_package = (ROOT / target[0]).is_dir()
            unit = target[0] if is_package else BASE_MODULES.get(target[0], "app")
            if unit != source:
                edges[source].add(unit)
                where[(source, unit)].add(str(path.relative_to(ROOT)))
    return edges, where


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_packages():
    edges, where = import_graph()
    edges = {a: {b for b in bs if (a, b) not in KNOWN_BACK_EDGES} for a, bs in edges.items()}
    found = cycles(edges)
    detail = [f"{a} -> {b}: {sorted(where[(a, b)])}" for c in found for a in c for b in sorted(edges[a]) if b in c]
    assert not found, "import cycles between packages:\n" + "\n".join(detail)


def test_known_back_edges_still_exist():
    """A removed back-edge must leave the list above, so it cannot silently come back."""
    edges, _ = import_graph()
    gone = sorted(e for e in KNOWN_BACK_EDGES if e[1] not in edges.get(e[0], set()))
    assert not gone, f"remove from KNOWN_BACK_EDGES: {gone}"


def test_core_imports_no_domain():
    edges, where = import_graph()
    assert edges.get("core", set()) <= set(), {b: sorted(where[("core", b)]) for b in edges.get("core", ())}


def test_no_view_imports_another_packages_views():
    offenders = []
    for path in _source_files():
        here = path.relative_to(ROOT).parts
        if len(here) == 1:
            continue  # the app factory registers every blueprint
        for target in _imports(path):
            if (target[-1] == "views" or target[-1].endswith("_views")) and target[0] != here[0] and (ROOT / target[0]).is_dir():
                offenders.append(f"{'/'.join(here)} imports {'.'.join(target)}")
    assert not offenders, offenders


def test_the_graph_sees_a_deferred_import(tmp_path):
    """The checker itself: an import inside a function counts (so the assertions above can fail)."""
    tree = ast.parse("def f():\n    from ..cart.views import current_cart\n")
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom))
    assert node.level == 2 and node.module == "cart.views"
    edges = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert cycles(edges) == [["a", "b"]]
