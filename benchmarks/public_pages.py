"""The public pages under load, beside a static file of like size, on SQLite or PostgreSQL.

For each database size it builds a fresh database (`flask db upgrade`, then `flask demo
generate`), starts gunicorn with two workers, and drives each endpoint with wrk: the
progress JSON, SVG and embed page, the home page, a fund's page, the demo appeal's and the
demo supporter's page and JSON (about 16,000 gifts at 1,000,000), the donation form, and a
static file the size of the JSON. At the largest size it also pays a gift through the
sandbox while wrk loads the JSON endpoint, and measures how long until the JSON shows it.

    .venv/bin/python benchmarks/public_pages.py                    # SQLite, 1,000 and 1,000,000
    .venv/bin/python benchmarks/public_pages.py \
        --database-url postgresql://postgres@127.0.0.1:5432/postgres  # PostgreSQL
    .venv/bin/python benchmarks/public_pages.py --sizes 1000 --duration 5

With PostgreSQL, the URL names a server and a database to connect to: each size gets a new
database of its own (bench_<size>), dropped afterwards. Needs wrk (apt-get install wrk).
Prints a Markdown table; writes results/<sqlite|postgresql>.json.
"""

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
SAMPLE = ROOT / "static" / "bench-sample.json"
ENDPOINTS = {
    "json": "/api/funds/actimus",
    "svg": "/funds/actimus/progress.svg",
    "embed": "/embed/funds/actimus",
    "home": "/",
    "fund page": "/funds/actimus",
    "appeal json": "/api/appeals/demo-appeal",
    "appeal page": "/appeals/demo-appeal",
    "fundraiser json": "/api/fundraising/demo-fundraiser",
    "fundraiser page": "/fundraising/demo-fundraiser",
    "donate page": "/donate/actimus",
    "static": "/static/bench-sample.json",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str) -> str:
    result = subprocess.run(
        [VENV / "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    command = [VENV / "gunicorn", "--workers", "2", "--no-control-socket"]
    process = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/funds", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(url: str, duration: int, connections: int = 16) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50_ms": to_ms(re.search(r"\s50%\s+(\S+)", out)[1]),
        "p99_ms": to_ms(re.search(r"\s99%\s+(\S+)", out)[1]),
        "non_2xx": int(errors[1]) if errors else 0,
    }


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)[1]


def pay_a_gift(base: str) -> None:
    """The donor's whole journey over HTTP: the form, then the sandbox's succeeding card."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def post(url: str, data: dict) -> str:
        body = urllib.parse.urlencode(data).encode()
        with opener.open(url, body) as response:
            return response.geturl()

    form = opener.open(f"{base}/donate").read().decode()
    checkout = post(
        f"{base}/donate",
        {
            "csrf_token": hidden(form, "csrf_token"),
            "form_token": hidden(form, "form_token"),
            "fund": "actimus",
            "amount": "10",
            "frequency": "one-off",
            "first_name": "Bench",
            "last_name": "Mark",
            "email": "bench@example.org",
        },
    )
    page = opener.open(checkout).read().decode()
    post(
        checkout,
        {
            "csrf_token": hidden(page, "csrf_token"),
            "method": "card",
            "card_number": "4242424242424242",
            "expiry": "12 / 30",
            "cvc": "123",
        },
    )


def raised(base: str) -> int:
    with urllib.request.urlopen(f"{base}/api/funds/actimus") as response:
        return json.load(response)["raised_pence"]


def freshness_under_load(base: str, duration: int) -> float:
    """Seconds from a paid gift's last redirect until the JSON shows it, with wrk running."""
    load = threading.Thread(target=wrk, args=(base + ENDPOINTS["json"], duration))
    load.start()
    time.sleep(duration / 3)
    before = raised(base)
    pay_a_gift(base)
    paid_at = time.monotonic()
    while raised(base) == before:
        if time.monotonic() - paid_at > 10:
            break
        time.sleep(0.02)
    seen = time.monotonic() - paid_at
    load.join()
    return seen


@contextmanager
def fresh_database(server_url: str | None, workdir: Path, size: int) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database made for this run."""
    if not server_url:
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    import psycopg  # noqa: PLC0415  (only PostgreSQL runs need the driver here)

    url = urllib.parse.urlsplit(server_url.replace("postgresql+psycopg://", "postgresql://"))
    name = f"bench_{size}"
    admin = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(url._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settle(database_url: str) -> None:
    """After a bulk insert, do now what PostgreSQL's autovacuum would do during the
    measurements (it shared the two cores with them): vacuum and analyse every table."""
    if not database_url.startswith("postgresql"):
        return
    import psycopg  # noqa: PLC0415  (only PostgreSQL runs need the driver here)

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def run_size(size: int, duration: int, server_url: str | None) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{size}-"))
    with fresh_database(server_url, workdir, size) as database_url:
        return measure(size, duration, workdir, database_url)


def measure(size: int, duration: int, workdir: Path, database_url: str) -> dict:
    env = {
        **os.environ,
        "DONATIONS_INSTANCE": str(workdir),
        "DONATIONS_ENV": "development",
        "DATABASE_URL": database_url,
    }
    for key in ("STRIPE_SECRET_KEY", "PUBLIC_URL", "REDIS_URL"):
        env.pop(key, None)
    try:
        flask(env, "db", "upgrade")
        started = time.perf_counter()
        flask(env, "demo", "generate", "--donations", str(size))
        generated = time.perf_counter() - started
        settle(database_url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, port)
        try:
            body = urllib.request.urlopen(base + ENDPOINTS["json"]).read()
            SAMPLE.write_bytes(b" " * len(body))
            results = {name: wrk(base + path, duration) for name, path in ENDPOINTS.items()}
            results["generate_seconds"] = round(generated, 1)
            results["json_bytes"] = len(body)
            if size == max(SIZES):
                results["fresh_seconds"] = round(freshness_under_load(base, duration), 3)
            return results
        finally:
            server.terminate()
            server.wait()
    finally:
        SAMPLE.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


def report(results: dict) -> str:
    lines = [
        "| donations | endpoint | req/s | p50 ms | p99 ms | vs static |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for size, by_endpoint in results.items():
        static = by_endpoint["static"]["rps"]
        for name in ENDPOINTS:
            r = by_endpoint[name]
            lines.append(
                f"| {size:,} | {name} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | "
                f"{r['p99_ms']:.2f} | {r['rps'] / static:.0%} |"
            )
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]]["json"]["rps"], results[sizes[-1]]["json"]["rps"]
        lines.append(f"\nJSON at {sizes[-1]:,} vs {sizes[0]:,} donations: {large / small:.0%}")
    largest = results[sizes[-1]]
    if "fresh_seconds" in largest:
        lines.append(
            f"A new paid gift showed in the JSON {largest['fresh_seconds']:.3f} s after "
            f"its payment completed (under load)."
        )
    lines.append(f"demo generate: {sizes[-1]:,} donations in {largest['generate_seconds']} s")
    return "\n".join(lines)


SIZES: list[int] = []

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 1_000_000])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to measure on (default: SQLite)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    SIZES[:] = args.sizes
    results = {size: run_size(size, args.duration, args.database_url) for size in args.sizes}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    kind = "postgresql" if args.database_url else "sqlite"
    (out / f"{kind}.json").write_text(json.dumps(results, indent=2))
    print(f"## {kind}\n")
    print(report(results))
