"""Survivors of a mutation run, each with its change in one line, read straight from mutmut's
files (quicker than `mutmut show`, which takes half a second a mutant).

    .venv/bin/python mutation/survivors.py [--mutants DIR] [--all] [PART_OF_A_NAME]

Lists the survivors docs/MUTATION.md does not yet name and mutation/to_try_again.txt does not
hold (`--all`: every one). DIR is where `bin/mutation` ran mutmut (default: mutants/ here; a
worktree's, if it ran there).
"""

import argparse
import ast
import difflib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def functions(source: Path) -> dict[str, str]:
    text = source.read_text()
    return {
        node.name: ast.get_source_segment(text, node) or ""
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def change(found: dict[str, str], name: str) -> str:
    """The lines the mutant changed, as `-old | +new`."""
    mutant = name.rpartition(".")[2]
    original = mutant.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"
    before = [line.strip() for line in found.get(original, "").splitlines()[1:]]
    after = [line.strip() for line in found.get(mutant, "").splitlines()[1:]]
    lines = difflib.unified_diff(before, after, lineterm="", n=0)
    return " | ".join(line for line in lines if line[:1] in "+-" and line[:3] not in "+++---")


def _unaccounted(name: str, explained: str, again: set[str]) -> bool:
    return f"`{name}`" not in explained and name not in again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    parser.add_argument("--all", action="store_true", help="the explained ones too")
    parser.add_argument("part", nargs="?", default="", help="only names holding this")
    args = parser.parse_args()
    explained = (ROOT / "docs" / "MUTATION.md").read_text()
    # killed by a test written since the run, checked with try_mutant.py: the next run tries
    # them again by name (`mutmut run $(sed "s/^/donations./" mutation/to_try_again.txt)`)
    again = set((ROOT / "mutation" / "to_try_again.txt").read_text().split())
    listed = 0
    for meta in sorted(args.mutants.glob("donations/**/*.meta")):
        results = json.loads(meta.read_text())["exit_code_by_key"]
        survivors = [name for name, code in results.items() if code == 0 and args.part in name]
        survivors = [
            name
            for name in survivors
            if args.all or _unaccounted(name.removeprefix("donations."), explained, again)
        ]
        if not survivors:
            continue
        found = functions(meta.with_suffix(""))
        for name in survivors:
            print(f"{name.removeprefix('donations.')} :: {change(found, name)}")
            listed += 1
    print(f"{listed} listed")


if __name__ == "__main__":
    main()
