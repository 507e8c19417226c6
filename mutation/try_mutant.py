"""Put one mutant at a time into this checkout's code, run the tests named, and put the code
back: whether a new test kills a survivor, in seconds rather than a whole run.

    .venv/bin/python mutation/try_mutant.py [--mutants DIR] NAME [NAME...] -- PYTEST ARGS

Prints KILLED or SURVIVED for each (ERROR when pytest ran nothing or failed to start). The
run's own verdict still comes from `bin/mutation`, which tries a survivor again by name.
Functions and methods. While it runs, the checkout holds a mutant: never
commit meanwhile (a commit once took one).
"""

import argparse
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def function_at(text: str, name: str, within: str | None = None) -> ast.AST | None:
    """The module's function of that name, or the method of class `within`."""
    body = ast.parse(text).body
    if within is not None:
        found = [n for n in body if isinstance(n, ast.ClassDef) and n.name == within]
        body = found[0].body if found else []
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node
    return None


def _plain(mutant: str) -> tuple[str, str | None]:
    """(the function's own name, its class or None): mutmut names a method's mutant
    `xǁClassǁmethod__mutmut_N` and a function's `x_function__mutmut_N`."""
    stem = mutant.rsplit("__mutmut_", 1)[0]
    if stem.startswith("xǁ"):
        _, owner, method = stem.split("ǁ", 2)
        return method, owner
    return stem.removeprefix("x_"), None


def mutated(mutants: Path, name: str) -> tuple[Path, str]:
    """(the module's file, its text with this one mutant in place of the function)."""
    module, _, mutant = f"donations.{name.removeprefix('donations.')}".rpartition(".")
    plain, owner = _plain(mutant)
    relative = Path(*module.split(".")).with_suffix(".py")
    if not (ROOT / relative).exists():  # a package's own module
        relative = Path(*module.split("."), "__init__.py")
    mutant_text = (mutants / relative).read_text()
    node = function_at(mutant_text, mutant, owner)
    lines = mutant_text.splitlines(keepends=True)
    replacement = "".join(lines[node.lineno - 1 : node.end_lineno])
    replacement = replacement.replace(f"def {mutant}(", f"def {plain}(", 1)
    original = (ROOT / relative).read_text()
    target = function_at(original, plain, owner)
    kept = original.splitlines(keepends=True)
    text = "".join(kept[: target.lineno - 1]) + replacement + "".join(kept[target.end_lineno :])
    return ROOT / relative, text


def _forget_compiled(path: Path) -> None:
    """Python trusts a module's cached bytecode when the source's size and mtime (to the
    second) match: a mutant of the same size written within the second would run as the
    code before it. So the cache goes with every change."""
    for compiled in path.parent.glob(f"__pycache__/{path.stem}.*.pyc"):
        compiled.unlink()


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
        _forget_compiled(path)
        try:
            ran = subprocess.run(  # noqa: S603  (our own pytest, with the arguments given)
                [ROOT / ".venv/bin/pytest", "-q", "-x", "-p", "no:randomly", *pytest_args],
                cwd=ROOT,
                capture_output=True,
                check=False,
            )
        finally:
            path.write_text(original)
            _forget_compiled(path)
        verdict = {0: "SURVIVED", 1: "KILLED"}.get(ran.returncode, f"ERROR ({ran.returncode})")
        print(f"{name.removeprefix('donations.')} {verdict}", flush=True)


if __name__ == "__main__":
    main()
