"""Put one mutant at a time into this checkout's code, run the tests named, and put the code
back: whether a new test kills a survivor, in seconds rather than a whole run.

    .venv/bin/python mutation/try_mutant.py [--mutants DIR] NAME [NAME...] -- PYTEST ARGS

Prints KILLED or SURVIVED for each (ERROR when pytest ran nothing or failed to start). The
run's own verdict still comes from `bin/mutation`, which tries a survivor again by name.
Module-level functions only (not methods). While it runs, the checkout holds a mutant: never
commit meanwhile (a commit once took one).
"""

import argparse
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def function_at(text: str, name: str) -> ast.AST | None:
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node
    return None


def mutated(mutants: Path, name: str) -> tuple[Path, str]:
    """(the module's file, its text with this one mutant in place of the function)."""
    module, _, mutant = f"donations.{name.removeprefix('donations.')}".rpartition(".")
    plain = mutant.rsplit("__mutmut_", 1)[0].removeprefix("x_")
    relative = Path(*module.split(".")).with_suffix(".py")
    mutant_text = (mutants / relative).read_text()
    node = function_at(mutant_text, mutant)
    lines = mutant_text.splitlines(keepends=True)
    replacement = "".join(lines[node.lineno - 1 : node.end_lineno])
    replacement = replacement.replace(f"def {mutant}(", f"def {plain}(", 1)
    original = (ROOT / relative).read_text()
    target = function_at(original, plain)
    kept = original.splitlines(keepends=True)
    text = "".join(kept[: target.lineno - 1]) + replacement + "".join(kept[target.end_lineno :])
    return ROOT / relative, text


def main() -> None:
    arguments = sys.argv[1:]
    split = arguments.index("--") if "--" in arguments else len(arguments)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    parser.add_argument("names", nargs="+")
    args = parser.parse_args(arguments[:split])
    pytest_args = arguments[split + 1 :]
    for name in args.names:
        path, text = mutated(args.mutants, name)
        original = path.read_text()
        path.write_text(text)
        try:
            ran = subprocess.run(  # noqa: S603  (our own pytest, with the arguments given)
                [ROOT / ".venv/bin/pytest", "-q", "-x", "-p", "no:randomly", *pytest_args],
                cwd=ROOT,
                capture_output=True,
                check=False,
            )
        finally:
            path.write_text(original)
        verdict = {0: "SURVIVED", 1: "KILLED"}.get(ran.returncode, f"ERROR ({ran.returncode})")
        print(f"{name.removeprefix('donations.')} {verdict}", flush=True)


if __name__ == "__main__":
    main()
