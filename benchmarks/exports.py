"""Exporting 1,000,000 donations, as finance staff would: `flask exports donations -o FILE`
to CSV and to XLSX, each run as a process of its own whose peak memory is read from the
kernel (ru_maxrss, from wait4), timed beside the database's own CSV dump of the same rows
(the export's own query compiled to SQL, through sqlite3's CSV mode or PostgreSQL's COPY).

    .venv/bin/python benchmarks/exports.py                      # SQLite
    .venv/bin/python benchmarks/exports.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

Goals (the issue "Finance staff"): peak memory of the exporting process under 150 MB, and the
CSV export at most 3 times the database's own dump. The database is a new one, dropped after.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from public_pages import VENV, fresh_database  # noqa: E402  (the same database set-up)

MEMORY_GOAL_MB = 150
RATIO_GOAL = 3


def environment(database_url: str, workdir: Path) -> dict:
    env = {
        **os.environ,
        "DONATIONS_INSTANCE": str(workdir),
        "DONATIONS_ENV": "development",
        "DATABASE_URL": database_url,
    }
    for key in ("STRIPE_SECRET_KEY", "PUBLIC_URL", "REDIS_URL"):
        env.pop(key, None)
    return env


def flask(env: dict, *args: str) -> None:
    subprocess.run(
        [VENV / "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def timed(command: list, env: dict, stdout=None) -> tuple[float, float]:
    """Run a command; (seconds, its peak resident memory in MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stdout)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{command[0]} failed with {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def export_sql(env: dict, which: str) -> str:
    """A query as SQL for the database in use: the records as stored ("records_query"), or
    the export's own, each column's text ("export_query")."""
    module = "exports" if which == "export_query" else "records"
    code = (
        "from donations import create_app\n"
        "from donations.extensions import db\n"
        "from donations.finance.listing import Filters\n"
        f"from donations.finance.{module} import {which}\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    print({which}(Filters()).compile(db.engine, "
        "compile_kwargs={'literal_binds': True}))\n"
    )
    sql = subprocess.run(
        [VENV / "python", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # psycopg's dialect writes % as %% for its own parameter style; psql takes SQL as it is
    return sql.replace("%%", "%") if "postgresql" in env["DATABASE_URL"] else sql


def database_dump(database_url: str, sql: str, out: Path, env: dict) -> tuple[float, float]:
    with out.open("wb") as file:
        if database_url.startswith("sqlite"):
            path = database_url.removeprefix("sqlite:///")
            return timed(["sqlite3", "-csv", "-header", path, sql], env, stdout=file)
        plain = database_url.replace("postgresql+psycopg://", "postgresql://")
        copy = f"COPY ({sql}) TO STDOUT WITH CSV HEADER"
        return timed(["psql", "-X", "-q", plain, "-c", copy], env, stdout=file)


def lines(path: Path) -> int:
    with path.open("rb") as file:
        return sum(1 for _ in file) - 1


def run(size: int, server_url: str | None) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    try:
        return _run(size, server_url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(size: int, server_url: str | None, workdir: Path) -> dict:
    with fresh_database(server_url, workdir, size) as database_url:
        env = environment(database_url, workdir)
        flask(env, "db", "upgrade")
        started = time.perf_counter()
        flask(env, "demo", "generate", "--donations", str(size))
        generated = time.perf_counter() - started
        if not database_url.startswith("sqlite"):
            subprocess.run(["psql", "-X", "-q", database_url, "-c", "VACUUM ANALYZE"], check=True)
        results = {"generated": generated}
        dump = workdir / "dump.csv"
        results["dump"] = database_dump(database_url, export_sql(env, "export_query"), dump, env)
        results["raw"] = database_dump(
            database_url, export_sql(env, "records_query"), workdir / "raw.csv", env
        )
        flask_export = [VENV / "flask", "--app", "wsgi", "exports", "donations", "-o"]
        csv_file, xlsx_file = workdir / "export.csv", workdir / "export.xlsx"
        results["csv"] = timed([*flask_export, str(csv_file)], env, subprocess.DEVNULL)
        results["xlsx"] = timed([*flask_export, str(xlsx_file)], env, subprocess.DEVNULL)
        results["rows"] = (lines(dump), lines(csv_file))
        results["sizes"] = (dump.stat().st_size, csv_file.stat().st_size, xlsx_file.stat().st_size)
        return results


def report(kind: str, size: int, results: dict) -> str:
    dump_s, dump_mb = results["dump"]
    raw_s, raw_mb = results["raw"]
    csv_s, csv_mb = results["csv"]
    xlsx_s, xlsx_mb = results["xlsx"]
    dump_rows, csv_rows = results["rows"]
    ratio = csv_s / dump_s
    out = [
        f"{kind}, {size:,} donations (generated in {results['generated']:.1f} s); "
        f"rows: database {dump_rows:,}, export {csv_rows:,}",
        "| what | seconds | peak memory MB | vs the database's dump |",
        "|---|---:|---:|---:|",
        f"| database's own CSV dump of the export's query | {dump_s:.1f} | {dump_mb:.0f} | 1.00 |",
        f"| (its dump of the records as stored, unformatted) | {raw_s:.1f} | {raw_mb:.0f} "
        f"| {raw_s / dump_s:.2f} |",
        f"| export CSV | {csv_s:.1f} | {csv_mb:.0f} | {ratio:.2f} "
        f"({csv_s / raw_s:.2f} against the unformatted dump) |",
        f"| export XLSX | {xlsx_s:.1f} | {xlsx_mb:.0f} | {xlsx_s / dump_s:.2f} |",
        f"CSV at most {RATIO_GOAL}x the dump: {'yes' if ratio <= RATIO_GOAL else 'NO'}; "
        f"memory under {MEMORY_GOAL_MB} MB: "
        f"{'yes' if max(csv_mb, xlsx_mb) < MEMORY_GOAL_MB else 'NO'}; "
        f"same rows: {'yes' if dump_rows == csv_rows == size else 'NO'}",
    ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--donations", type=int, default=1_000_000)
    args = parser.parse_args()
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(report(kind, args.donations, run(args.donations, args.database_url)))


if __name__ == "__main__":
    main()
