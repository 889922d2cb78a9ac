"""The project's import graph: no circles, the boundaries of pyproject.toml's import-linter
contracts, and no import hidden inside a function without a comment saying why."""

import ast
import subprocess
import sys
from pathlib import Path

import grimp

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "engine", "training_worker", "jobs", "deployments", "accounts", "lessons", "classroom",
    "dlplatform", "dlclient",
)
ENGINE = "engine"


def project_graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a circle (the
    strongly connected components of more than one module, or one importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(root: str) -> None:
        # Tarjan's algorithm, iterative: a deep graph must not hit the recursion limit.
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1 or module in graph.find_modules_directly_imported_by(
                    module
                ):
                    cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_of_the_project_is_part_of_an_import_circle():
    assert import_cycles(project_graph()) == []


def test_the_cycle_finder_sees_a_circle():
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c", "d"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    graph.add_import(importer="c", imported="d")
    assert import_cycles(graph) == [["a", "b", "c"]]


def test_the_engine_imports_no_other_module_of_the_project():
    # The import-linter contract lists today's modules; this also covers any added later.
    graph = project_graph()
    outside = {
        (importer, imported)
        for importer in graph.find_descendants(ENGINE) | {ENGINE}
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.split(".")[0] in PACKAGES and not _is_within(imported, ENGINE)
    }
    assert outside == set()


def test_the_import_linter_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_inside_a_function_says_why():
    """Imports belong at the top of a file, where a reader sees what it depends on; one
    kept inside a function (a module Django cannot import before the app registry is ready,
    an optional package) carries a comment on its line or above its group of imports."""
    unexplained = []
    for path in _project_files():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom) and not _explained(
                    lines, inner.lineno - 1
                ):
                    unexplained.append(f"{path.relative_to(REPO_ROOT)}:{inner.lineno}")
    assert unexplained == []


def _explained(lines: list[str], index: int) -> bool:
    if "#" in lines[index]:
        return True
    above = index - 1
    while lines[above].lstrip().startswith(("from ", "import ")):
        above -= 1
    return lines[above].lstrip().startswith("#")


def _project_files() -> list[Path]:
    # Migrations are generated code, frozen as Django wrote them.
    return [
        path
        for package in PACKAGES
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")
