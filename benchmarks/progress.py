"""Progress endpoints under load: JSON, SVG and embed page beside a static file of like size.

For each database size it builds a fresh SQLite database (`flask db upgrade`, then
`flask demo generate`), starts gunicorn with two workers, and drives each endpoint with wrk.
At the largest size it also pays a gift through the sandbox while wrk loads the JSON
endpoint, and measures how long until the JSON shows it.

    .venv/bin/python benchmarks/progress.py                 # 1,000 and 1,000,000 donations
    .venv/bin/python benchmarks/progress.py --sizes 1000 --duration 5

Needs wrk (Debian: apt-get install wrk). Prints a Markdown table; writes results/latest.json.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
SAMPLE = ROOT / "static" / "bench-sample.json"
ENDPOINTS = {
    "json": "/api/funds/actimus",
    "svg": "/funds/actimus/progress.svg",
    "embed": "/embed/funds/actimus",
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
    process = subprocess.Popen(
        [VENV / "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
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


def run_size(size: int, duration: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{size}-"))
    env = {
        **os.environ,
        "DONATIONS_INSTANCE": str(workdir),
        "DONATIONS_ENV": "development",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
    }
    for key in ("STRIPE_SECRET_KEY", "PUBLIC_URL", "REDIS_URL"):
        env.pop(key, None)
    try:
        flask(env, "db", "upgrade")
        started = time.perf_counter()
        flask(env, "demo", "generate", "--donations", str(size))
        generated = time.perf_counter() - started
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
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    SIZES[:] = args.sizes
    results = {size: run_size(size, args.duration) for size in args.sizes}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print(report(results))
