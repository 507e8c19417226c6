"""Queueing one research update for about 100,000 consenting donors, and sending it.

Builds a fresh database (`flask db upgrade`, `flask demo generate`: three in ten donors ask
for updates), then, in this process: counts the ACTiMuS fund's recipients, publishes an
update and queues its e-mails (timed, with the Python memory it took: tracemalloc's peak and
the growth of the process's resident size), then sends a sample of them to a local SMTP
server (aiosmtpd) through the outbox, as fast as the server takes them and at the default
pace, and reports the rates.

    .venv/bin/python benchmarks/update_queue.py                        # SQLite
    .venv/bin/python benchmarks/update_queue.py \
        --database-url postgresql://postgres@127.0.0.1:5432/postgres   # PostgreSQL
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))
from public_pages import flask, free_port, fresh_database, settle


class Count:
    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 2.0.0 Accepted"


def resident_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(database_url: str, sample: int, paced_seconds: float) -> dict:
    from donations import create_app  # noqa: PLC0415  (after the environment is set)
    from donations.funds import services as funds  # noqa: PLC0415
    from donations.receipts.outbox import Pacer, send_queued  # noqa: PLC0415
    from donations.transaction import commit  # noqa: PLC0415
    from donations.updates import services  # noqa: PLC0415

    counter = Count()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "benchmark",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_USE_TLS": False,
            "PUBLIC_URL": "https://donate.example.org",
        }
    )
    results = {}
    with app.app_context():
        fund = funds.by_slug("actimus")
        started = time.perf_counter()
        results["recipients"] = services.recipient_count(fund.id)
        results["count_s"] = time.perf_counter() - started
        update = services.save(None, fund_id=fund.id, title="Benchmark", body="Words. " * 200)
        commit()
        resident_before = resident_mb()
        tracemalloc.start()
        started = time.perf_counter()
        queued = services.publish(update, send=True)
        commit()
        results["queue_s"] = time.perf_counter() - started
        results["queue_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        results["queued"] = queued
        results["resident_growth_mb"] = resident_mb() - resident_before

        app.config["OUTBOX_BULK_PER_MINUTE"] = 0
        started = time.perf_counter()
        sent, failed = send_queued(limit=sample, bulk=True)
        elapsed = time.perf_counter() - started
        results["unpaced_per_s"] = sent / elapsed
        results["failed"] = failed

        per_minute = 300
        pacer = Pacer(per_minute)
        started, sent = time.perf_counter(), 0
        while time.perf_counter() - started < paced_seconds:
            sent += send_queued(limit=5, bulk=True, pacer=pacer)[0]
        results["paced_per_minute"] = sent / (time.perf_counter() - started) * 60
        results["pace_setting"] = per_minute
        results["server_received"] = counter.messages
    controller.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--donations", type=int, default=520_000)
    parser.add_argument("--sample", type=int, default=2_000, help="e-mails sent unpaced")
    parser.add_argument("--paced-seconds", type=float, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        workdir = Path(work)
        with fresh_database(args.database_url, workdir, args.donations) as url:
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "SECRET_KEY": "benchmark",
                "DONATIONS_INSTANCE": str(workdir),
            }
            flask(env, "db", "upgrade")
            started = time.perf_counter()
            flask(env, "demo", "generate", "--donations", str(args.donations))
            print(f"demo generate: {time.perf_counter() - started:.0f} s", flush=True)
            settle(url)
            os.environ["DATABASE_URL"] = url
            results = measure(
                url.replace("postgresql://", "postgresql+psycopg://"),
                args.sample,
                args.paced_seconds,
            )
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"| {kind} | {results['recipients']:,} | {results['queue_s']:.1f} s "
        f"| {results['queue_peak_mb']:.1f} MB | {results['resident_growth_mb']:.1f} MB "
        f"| {results['unpaced_per_s']:.0f}/s | {results['paced_per_minute']:.0f}/min "
        f"(setting {results['pace_setting']}) |"
    )
    print(results)


if __name__ == "__main__":
    main()
