"""The package boundaries of docs/ARCHITECTURE.md, read from the code's own imports.

Every import counts: at the top of a module, inside a function, or under TYPE_CHECKING.
"""

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "donations"
#: the composition root: the one place allowed to know every package
COMPOSITION_ROOT = {"__init__", "models"}

#: bottom layer first; a package may import only packages in layers below its own
LAYERS = [
    {
        "config",
        "money",
        "extensions",
        "cli_support",
        "web",
        "logs",
        "page_cache",
        "text",
        "keyed",
        "uk_time",
        "markup",
    },
    {"transaction", "health", "error_reports", "upserts"},
    {"staff", "images"},
    {"funds"},
    {"ledger"},
    {"gift_aid"},
    {"gifts"},
    {"receipts", "payments"},
    {"claims", "updates"},
    {"sandbox", "progress", "giving", "finance", "fundraising"},
    {"demo"},
]
PLUMBING = LAYERS[0] | LAYERS[1]
WEB = {"giving", "progress", "finance", "fundraising"}


def _top(module: str) -> str | None:
    """donations.gifts.models -> gifts; anything outside the application -> None."""
    parts = module.split(".")
    if parts[0] != "donations" or len(parts) < 2:
        return None
    return parts[1]


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imported(path: Path, source: str | None = None) -> set[str]:
    """Every application module this file imports, wherever the import statement sits."""
    here = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found = set()
    tree = ast.parse(path.read_text() if source is None else source, str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(
                f"{base}.{alias.name}" for alias in node.names if _is_module(f"{base}.{alias.name}")
            )
    return found


def _graph() -> dict[str, set[str]]:
    """package -> the other application packages it imports (the composition root left out)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        source = path.relative_to(PACKAGE).with_suffix("").parts
        if len(source) == 1 and source[0] in COMPOSITION_ROOT:
            continue
        owner = source[0]
        edges[owner]  # every package appears, even one that imports nothing
        for module in _imported(path):
            target = _top(module)
            if target is not None and target != owner:
                edges[owner].add(target)
    return edges


GRAPH = _graph()


def _layer_of(package: str) -> int:
    for index, layer in enumerate(LAYERS):
        if package in layer:
            return index
    raise AssertionError(f"{package} is in no layer: add it to LAYERS and docs/ARCHITECTURE.md")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_reader_sees_imports_everywhere_in_a_module():
    """The checker itself: lazy, TYPE_CHECKING and relative imports all count."""
    probe = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from donations.gifts.models import Donation\n"
        "def f():\n    import donations.payments.gateway\n"
        "from ..sandbox import gateway\n"
        "from donations import receipts\n"
    )
    tops = {_top(m) for m in _imported(PACKAGE / "ledger" / "services.py", probe)} - {None}
    assert tops == {"gifts", "payments", "sandbox", "receipts"}


def test_there_is_no_import_cycle_between_packages():
    assert _cycles(GRAPH) == []


@pytest.mark.parametrize("package", sorted(GRAPH))
def test_each_package_imports_only_layers_below_its_own(package):
    upward = sorted(t for t in GRAPH[package] if _layer_of(t) >= _layer_of(package))
    assert upward == [], f"{package} (layer {_layer_of(package)}) imports {upward}"


def test_the_ledger_knows_no_gift_payment_sandbox_receipt_or_web_package():
    forbidden = {"gifts", "payments", "sandbox", "receipts", "gift_aid", *WEB}
    assert GRAPH["ledger"] & forbidden == set()


def test_the_progress_pages_know_nothing_of_payments_or_the_sandbox():
    assert GRAPH["progress"] & {"payments", "sandbox"} == set()


def test_payments_never_import_the_sandbox():
    assert "sandbox" not in GRAPH["payments"]
    payments_source = " ".join(p.read_text() for p in (PACKAGE / "payments").rglob("*.py"))
    assert "sandbox." not in payments_source, "payments names none of the sandbox's endpoints"


def test_plumbing_imports_no_feature():
    for module in (
        "config",
        "extensions",
        "money",
        "transaction",
        "web",
        "logs",
        "health",
        "error_reports",
        "cli_support",
        "page_cache",
        "keyed",
        "uk_time",
    ):
        assert GRAPH[module] <= PLUMBING, f"{module} imports {GRAPH[module] - PLUMBING}"


def test_nothing_imports_by_name_at_run_time():
    """importlib or import_string would hide an import from these checks."""
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text()
        for hidden in ("importlib", "import_string", "__import__("):
            assert hidden not in source, f"{path.relative_to(ROOT)} uses {hidden}"


def test_no_test_module_imports_another():
    for path in (ROOT / "tests").rglob("*.py"):
        for module in _imported(path):
            name = module.rsplit(".", 1)[-1]
            assert not (module.startswith("tests.") and name.startswith(("test_", "conftest"))), (
                f"{path.relative_to(ROOT)} imports {module}"
            )


def test_the_gift_aid_formula_and_what_stands_are_each_written_once():
    """ledger/standing.py holds both; totals check (ledger/totals.py) keeps its own Gift Aid
    arithmetic on purpose, as the independent proof of the running totals."""
    rate_readers, subtractors = set(), set()
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text()
        name = str(path.relative_to(PACKAGE))
        if 'config["GIFT_AID_BASIC_RATE"]' in source:
            rate_readers.add(name)
        if re.search(r"refunded\w*\s*-\s*\w*disputed", source):
            subtractors.add(name)
    assert rate_readers == {"ledger/standing.py", "ledger/totals.py"}
    assert subtractors == {"ledger/standing.py"}


def test_no_view_rolls_the_session_back_itself():
    """Refused work is undone by `transaction.undone_on` (a savepoint); only the request and
    command boundaries (the webhook's answer, reconcile, a request whose database went away)
    end a transaction themselves."""
    boundaries = {"transaction.py", "health.py", "payments/views.py", "payments/cli.py"}
    rolling = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if re.search(r"(?<![\w.])rollback\(\)|session\.rollback\(", path.read_text())
    }
    assert rolling <= boundaries
