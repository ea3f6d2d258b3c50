"""The house rules of the package, read from the source with `ast` (nothing is imported).

rmentor has five wings in the order the data flows, on a ground of shared modules:

    cli → documents → engines | files → model → ground (errors, text, resources, __init__)

A module may import its own wing and the wings below it, never one above or beside it.
Every import counts for the layering, also those inside functions and under
`if TYPE_CHECKING:`; only module-level imports count for import cycles, since only
they run while a module is being imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "rmentor"

GROUND = "ground"
MAIN = "__main__"
FACE = "face"
OTHER = "other"  # a module outside every wing and the ground: never allowed as a target

WINGS = ("model", "files", "engines", "documents", "cli")

# The .py files allowed directly in rmentor/ (everything else lives in a wing).
TOP_LEVEL_FILES = frozenset(
    {"__init__.py", "__main__.py", "errors.py", "text.py", "resources.py", "matching.py"}
)
# Of those, the ones that may be missing (text.py comes with the ground refactor).
OPTIONAL_TOP_LEVEL_FILES = frozenset({"text.py"})

# Top-level modules that form the ground (`rmentor` itself is its __init__.py).
GROUND_MODULES = frozenset({"errors", "text", "resources"})

# What each part may import besides itself.
ALLOWED: dict[str, frozenset[str]] = {
    "cli": frozenset({"documents", "engines", "files", "model", GROUND}),
    "documents": frozenset({"engines", "model", GROUND}),
    "engines": frozenset({"model", GROUND}),
    "files": frozenset({"model", GROUND}),
    "model": frozenset({GROUND}),
    GROUND: frozenset(),
    MAIN: frozenset({"cli", GROUND}),
    # rmentor.matching: the public solver API named in the SPEC, a face over the engine.
    FACE: frozenset({"engines", "model", GROUND}),
    OTHER: frozenset(),
}

# The wings that must stay free of I/O and of the command line.
PURE_WINGS = frozenset({"model", "engines", "documents"})
FORBIDDEN_IN_PURE = frozenset({"files", "cli"})

RICH_HOME = PACKAGE / "cli" / "console.py"


@dataclass(frozen=True)
class Import:
    """One imported module, as written in one file."""

    source: str  # the importing module, e.g. rmentor.cli.app
    path: Path
    line: int
    target: str  # the imported module, absolute, e.g. rmentor.files.load
    module_level: bool  # runs when the importing module is imported

    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where()} imports {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    files = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    assert len(files) > 20, f"found only {len(files)} modules under {PACKAGE}"
    return files


MODULES = source_files()


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _walk(nodes: list[ast.stmt], module_level: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement, with whether it runs when the module is imported."""
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, module_level
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _walk(node.body, False)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _walk(node.body, False)
            yield from _walk(node.orelse, module_level)
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    # except handlers and match cases hold statements one level down
                    for child in children:
                        if isinstance(child, ast.stmt):
                            yield from _walk([child], module_level)
                        else:
                            yield from _walk(getattr(child, "body", []), module_level)


def _base(source: str, path: Path, level: int, module: str | None) -> str:
    """The absolute name of `from <dots><module> import ...` written in `source`."""
    if not level:
        return module or ""
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    parts = package.split(".")
    if level > len(parts):
        raise AssertionError(f"{path.relative_to(REPO)}: relative import beyond the top")
    base = ".".join(parts[: len(parts) - level + 1])
    return f"{base}.{module}" if module else base


def imports_of(source: str, path: Path) -> Iterator[Import]:
    """The rmentor modules a file imports (other packages are left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node, module_level in _walk(tree.body, True):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            assert isinstance(node, ast.ImportFrom)
            base = _base(source, path, node.level, node.module)
            # `from package import submodule` imports the submodule
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        for target in dict.fromkeys(targets):
            if target == "rmentor" or target.startswith("rmentor."):
                yield Import(source, path, node.lineno, target, module_level)


def all_imports() -> list[Import]:
    return [found for source, path in MODULES.items() for found in imports_of(source, path)]


def part_of(module: str) -> str:
    """The wing of a module, or ground / __main__ / face / other."""
    parts = module.split(".")
    if parts == ["rmentor"]:
        return GROUND
    top = parts[1]
    if top in WINGS:
        return top
    if top in GROUND_MODULES:
        return GROUND
    if top == "__main__":
        return MAIN
    if top == "matching":
        return FACE
    return OTHER


def fail_listing(heading: str, found: list[Import] | list[str]) -> None:
    """Fail with one line per offending import (`file:line imports module`)."""
    if found:
        lines = "\n".join(f"  {i}" for i in found)
        pytest.fail(f"{len(found)} {heading}:\n{lines}", pytrace=False)


def crosses_the_layering(found: Import) -> bool:
    importer, imported = part_of(found.source), part_of(found.target)
    if importer == imported != OTHER:
        return False
    return imported not in ALLOWED[importer]


def test_each_wing_imports_only_the_wings_below_it() -> None:
    wrong = [i for i in all_imports() if crosses_the_layering(i)]
    fail_listing(
        "imports cross the layering (cli → documents → engines | files → model → ground)", wrong
    )


def test_model_engines_and_documents_do_not_touch_files_or_cli() -> None:
    wrong = [
        i
        for i in all_imports()
        if part_of(i.source) in PURE_WINGS and part_of(i.target) in FORBIDDEN_IN_PURE
    ]
    fail_listing("imports of files/ or cli/ from model/, engines/ or documents/", wrong)


def test_imports_point_at_existing_modules() -> None:
    missing = [i for i in all_imports() if i.target not in MODULES]
    fail_listing("imports of rmentor modules that do not exist", missing)


def find_cycles(edges: dict[str, list[Import]]) -> list[list[Import]]:
    """Every cycle a depth-first search closes, each as the imports that make it."""
    cycles: list[list[Import]] = []
    done: set[str] = set()
    stack: list[Import] = []  # the edges from the root down to the current module
    on_stack: dict[str, int] = {}  # module -> its position on the path

    def visit(module: str) -> None:
        on_stack[module] = len(stack)
        for edge in edges.get(module, []):
            if edge.target in on_stack:
                cycles.append([*stack[on_stack[edge.target] :], edge])
            elif edge.target not in done:
                stack.append(edge)
                visit(edge.target)
                stack.pop()
        del on_stack[module]
        done.add(module)

    for module in sorted(edges):
        if module not in done:
            visit(module)
    return cycles


def test_no_import_cycles() -> None:
    edges: dict[str, list[Import]] = {}
    for i in all_imports():
        if i.module_level and i.target != i.source:
            edges.setdefault(i.source, []).append(i)
    cycles = find_cycles(edges)
    described = [
        " -> ".join([c[0].source, *(e.target for e in c)]) + "".join(f"\n      {e}" for e in c)
        for c in cycles
    ]
    fail_listing("import cycles at module level", described)


def test_find_cycles_names_the_cycle() -> None:
    def edge(a: str, b: str) -> Import:
        return Import(a, PACKAGE / "x.py", 1, b, True)

    graph = {"a": [edge("a", "b")], "b": [edge("b", "c")], "c": [edge("c", "a")], "d": []}
    (cycle,) = find_cycles(graph)
    assert [e.source for e in cycle] == ["a", "b", "c"]
    assert cycle[-1].target == "a"
    assert find_cycles({"a": [edge("a", "b")], "b": []}) == []


def test_rich_is_imported_only_by_the_console() -> None:
    wrong: list[str] = []
    for path in MODULES.values():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] == "rich" and path != RICH_HOME:
                    wrong.append(f"{path.relative_to(REPO)}:{node.lineno} imports {name}")
    fail_listing("imports of Rich outside rmentor/cli/console.py", wrong)


def test_the_package_has_five_wings_on_a_small_ground() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(WINGS), f"subpackages of rmentor/: {sorted(folders)}"
    without_init = [w for w in WINGS if not (PACKAGE / w / "__init__.py").is_file()]
    assert not without_init, f"wings without __init__.py: {without_init}"
    top_level = {p.name for p in PACKAGE.glob("*.py")}
    extra = sorted(top_level - TOP_LEVEL_FILES)
    missing = sorted(TOP_LEVEL_FILES - OPTIONAL_TOP_LEVEL_FILES - top_level)
    assert not extra, f"modules in rmentor/ that belong in a wing: {extra}"
    assert not missing, f"ground modules missing from rmentor/: {missing}"
