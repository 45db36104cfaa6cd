"""amitui's import graph, read from the source with `ast` (nothing is imported).

An edge `a -> b` means module `a` imports module `b`, at the top of the file or inside a
function ("deferred"). Imports under `if TYPE_CHECKING:` are left out: they never run.
`from pkg import name` points at the submodule `pkg.name` when there is one, else at `pkg`
(its `__init__`). A compiled extension counts as a module through its `.pyi` stub."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "amitui"


@dataclass
class ImportGraph:
    modules: dict[str, Path] = field(default_factory=dict)
    edges: dict[str, set[str]] = field(default_factory=dict)
    deferred: dict[str, set[str]] = field(default_factory=dict)

    def imports(self, module: str) -> set[str]:
        return self.edges.get(module, set()) | self.deferred.get(module, set())

    def cycles(self, skip: set[tuple[str, str]]) -> list[list[str]]:
        """Strongly connected components of more than one module (Tarjan), after leaving out
        the edges in `skip`."""
        graph = {m: sorted(t for t in self.imports(m) if (m, t) not in skip) for m in self.modules}
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []

        def visit(v: str) -> None:
            index[v] = low[v] = len(index)
            stack.append(v)
            on_stack.add(v)
            for w in graph[v]:
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

        for module in sorted(graph):
            if module not in index:
                visit(module)
        return found


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def build(root: Path = PACKAGE_ROOT) -> ImportGraph:
    graph = ImportGraph()
    for path in sorted(root.rglob("*.py")):
        graph.modules[_module_name(path, root)] = path
    # A compiled extension is known by its stub (amitui/protocol/_lines.pyi for _lines.c):
    # a module of its own, not its package's __init__.
    for path in sorted(root.rglob("*.pyi")):
        graph.modules.setdefault(_module_name(path, root), path)
    for module, path in graph.modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        _Visitor(graph, module, package).visit(ast.parse(path.read_text(encoding="utf-8")))
    return graph


class _Visitor(ast.NodeVisitor):
    def __init__(self, graph: ImportGraph, module: str, package: str) -> None:
        self.graph, self.module, self.package = graph, module, package
        self.depth = 0

    def visit_If(self, node: ast.If) -> None:
        if "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".")
            parts = parts[: len(parts) - node.level + 1]
            base = ".".join(parts + ([base] if base else []))
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            self._add(sub if sub in self.graph.modules else base)

    def _add(self, name: str) -> None:
        while name and name not in self.graph.modules:
            name = name.rpartition(".")[0]
        if not name or name == self.module:
            return
        table = self.graph.deferred if self.depth else self.graph.edges
        table.setdefault(self.module, set()).add(name)
