"""Webhook deliveries under load: two gunicorn instances (two workers each) on different ports,
sharing one PostgreSQL database, take 1,000 deliveries of Stripe events (30% of them
duplicates, shuffled) from 16 senders at once: gifts, monthly renewals, refunds and disputes.
Afterwards every fund's totals must equal its ledger, nothing recorded twice, nothing lost.

Beside them, in the same run and on the same instances, the same deliveries (their event ids
made new) go to the floor (benchmarks/webhook_floor.py: the signature checked and the event's
row inserted, nothing else), so the handlers' rate is read against what the machine gives
that day: the goal is at least half the floor's rate. The floor is measured just before and
just after the handlers, and its rate is over both, since the machine's own speed drifts from
minute to minute (a shared machine's floor has been seen at 460 and at 730 a second). The CPU
seconds each part used in each phase (the site's workers, PostgreSQL, the senders) are
printed too: a steadier account of where the work goes than the wall clock.

    .venv/bin/python benchmarks/webhooks.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

Prints deliveries per second for the handlers and the floor, and their ratio. The database is
a new one (bench_webhooks), dropped afterwards.
"""

import argparse
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.scratch import drop_database, free_port, fresh_database  # noqa: E402
from tests.payments import stripe_history  # noqa: E402  (the same histories as the tests)

VENV = ROOT / ".venv" / "bin"
SECRET = "whsec_benchmark_only"  # noqa: S105  (a local benchmark's own secret)
SENDERS = 16
#: sets of the history delivered first and not timed: each worker's first requests load and
#: compile what later ones reuse
WARM_UP_SETS = 4


def environment(database_url: str, workdir: Path) -> dict:
    env = {
        **os.environ,
        "DONATIONS_INSTANCE": str(workdir),
        "DONATIONS_ENV": "development",
        "DATABASE_URL": database_url,
        "STRIPE_SECRET_KEY": "sk_test_benchmark",
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "RATELIMIT_DISABLED": "1",
    }
    env.pop("PUBLIC_URL", None)
    env.pop("REDIS_URL", None)
    return env


def migrated_database(server_url: str, name: str) -> tuple[str, dict]:
    """A new database on the server, migrated, and this process's environment set for it;
    its URL and that environment."""
    database_url = fresh_database(server_url, name)
    env = environment(database_url, Path(tempfile.mkdtemp(prefix=f"{name}-")))
    os.environ.update(env)
    subprocess.run(
        [VENV / "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return database_url, env


def histories(app, gifts: int) -> tuple[list[dict], int]:
    """Stripe events for `gifts` sets of the scripted history; and the ledger rows they make."""
    from donations.funds import services as funds  # noqa: PLC0415
    from donations.gifts import services  # noqa: PLC0415
    from donations.transaction import commit  # noqa: PLC0415
    from tests import factories  # noqa: PLC0415

    events, rows = [], 0
    with app.app_context():
        _as_a_live_site_has_it()
        for n in range(gifts):
            made = {}
            for name, fund, amount, monthly in (
                ("monthly", "actimus", 1000, True),
                ("refunded", "actimus", 5000, False),
                ("lost", "stem-cell-audit", 2500, False),
                ("won", "stem-cell-audit", 2000, False),
                ("failed", "actimus", 3000, False),
                ("settled", "actimus", 4000, False),
            ):
                details = factories.details(
                    amount_pence=amount,
                    frequency="monthly" if monthly else "one-off",
                    email=f"{name}{n}@example.org",
                )
                donation = services.start_donation(funds.by_slug(fund), details)
                donation.checkout_session_id = f"cs_bench_{name}_{n}"
                made[name] = donation
            commit()
            history = stripe_history.scripted(made)
            for shared in history.events:  # ids unique across the sets
                event = json.loads(json.dumps(shared))  # events share objects: copy first
                event["id"] = f"{event['id']}_{n}"
                _suffix(event["data"]["object"], n)
                events.append(event)
            rows += 4 + 1 + 2 + 1 + 1 + 1 + 2 + 1  # payments, refunds, disputes, as scripted
    return events, rows


class Prepared(NamedTuple):
    warm_up: list[bytes]
    #: whole histories, 30% of them delivered twice, in a repeatable shuffled order
    deliveries: list[bytes]
    #: how many of the deliveries are events delivered for the first time
    unique: int
    #: the ledger rows the histories make
    expected_rows: int


def prepared(app, count: int) -> Prepared:
    """The warm-up's deliveries, and `count` deliveries to time."""
    per_set = len(
        stripe_history.scripted(
            {k: _Stub() for k in ("monthly", "refunded", "lost", "won", "failed", "settled")}
        ).events
    )
    sets = max(1, round(count * 0.7 / per_set))
    events, expected_rows = histories(app, sets + WARM_UP_SETS)
    warm_up, events = events[: WARM_UP_SETS * per_set], events[WARM_UP_SETS * per_set :]
    rng = random.Random(1)  # noqa: S311  (a repeatable order)
    duplicates = [rng.choice(events) for _ in range(count - len(events))]
    deliveries = [json.dumps(e).encode() for e in events + duplicates]
    rng.shuffle(deliveries)
    warm_up = [json.dumps(e).encode() for e in warm_up]
    return Prepared(warm_up, deliveries, len(events), expected_rows)


def _as_a_live_site_has_it() -> None:
    """The catalogue as a site that has taken gifts has it: the fee cover's Product is made at
    the first checkout that covers the fees, and every monthly invoice is read against it."""
    from donations.extensions import db  # noqa: PLC0415
    from donations.payments.catalogue import FEE_COVER  # noqa: PLC0415
    from donations.payments.models import CatalogueEntry  # noqa: PLC0415

    db.session.add(CatalogueEntry(key=FEE_COVER, stripe_id="prod_bench_fee_cover"))
    db.session.commit()


def _suffix(obj: dict, n: int) -> None:
    """Make one set's Stripe ids its own (the scripted history reuses them set after set)."""
    for key, value in list(obj.items()):
        if (
            isinstance(value, str)
            and value.split("_", 1)[0] in ("pi", "ch", "re", "du", "sub", "in", "txn")
            and "_hist_" in value
        ):
            obj[key] = f"{value}_{n}"
        elif isinstance(value, dict):
            _suffix(value, n)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _suffix(item, n)


def start(env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            VENV / "gunicorn",
            "--workers",
            "2",
            "--no-control-socket",
            "--bind",
            f"127.0.0.1:{port}",
            "benchmarks.webhook_floor:app",
        ],
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


def send_all(
    deliveries: list[bytes], ports: list[int], path: str = "/stripe/webhook"
) -> tuple[float, dict]:
    from donations.sandbox.signing import signature_header  # noqa: PLC0415

    work: queue.Queue = queue.Queue()
    for index, payload in enumerate(deliveries):
        work.put((index, payload))
    answers: dict[int, int] = {}
    lock = threading.Lock()

    def sender() -> None:
        while True:
            try:
                index, payload = work.get_nowait()
            except queue.Empty:
                return
            port = ports[index % len(ports)]
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                data=payload,
                headers={
                    "Stripe-Signature": signature_header(payload, SECRET),
                    "Content-Type": "application/json",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            if status != 200:  # as Stripe: try again later
                work.put((index, payload))
            with lock:
                answers[status] = answers.get(status, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, answers


FLOOR = "/bench/floor"


def as_floor(deliveries: list, prefix: str = "floor") -> list[bytes]:
    """The same deliveries for the floor, each event id its own (not the handlers', nor
    another floor pass's)."""
    floor = []
    for delivery in deliveries:
        event = json.loads(delivery) if isinstance(delivery, bytes) else dict(delivery)
        event["id"] = f"{prefix}_{event['id']}"
        floor.append(json.dumps(event).encode())
    return floor


def check(app, expected_rows: int) -> dict:
    from sqlalchemy import func, select  # noqa: PLC0415

    from donations.extensions import db  # noqa: PLC0415
    from donations.ledger.models import LedgerEntry  # noqa: PLC0415
    from donations.ledger.totals import drift  # noqa: PLC0415
    from donations.payments.models import StripeEvent  # noqa: PLC0415

    with app.app_context():
        rows = db.session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one()
        held = db.session.execute(
            select(func.count()).where(StripeEvent.outcome == "held")
        ).scalar_one()

        return {"ledger_rows": rows, "expected_rows": expected_rows, "held": held, "drift": drift()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server")
    parser.add_argument("--deliveries", type=int, default=1000)
    args = parser.parse_args()
    database_url, env = migrated_database(args.database_url, "bench_webhooks")
    from donations import create_app  # noqa: PLC0415

    app = create_app()
    warm_up, deliveries, unique, expected_rows = prepared(app, args.deliveries)
    ports = [free_port(), free_port()]
    servers = [start(env, port) for port in ports]
    try:
        # every worker's first use
        _, warm_answers = send_all(warm_up, ports)
        send_all(as_floor(warm_up[:20]), ports, FLOOR)
        used = [cpu_seconds()]
        before, floor_answers = send_all(as_floor(deliveries, "floor"), ports, FLOOR)
        used.append(cpu_seconds())
        seconds, answers = send_all(deliveries, ports)
        used.append(cpu_seconds())
        after, floor_answers_after = send_all(as_floor(deliveries, "floor_after"), ports, FLOOR)
        used.append(cpu_seconds())
    finally:
        for server in servers:
            server.terminate()
            server.wait()
    result = check(app, expected_rows)
    with app.app_context():
        from donations.extensions import db  # noqa: PLC0415

        db.engine.dispose()
    drop_database(database_url)
    print(
        f"{len(deliveries):,} deliveries ({unique:,} events, {len(deliveries) - unique:,} "
        "duplicates) "
        f"to 2 instances x 2 workers from {SENDERS} senders in {seconds:.2f} s: "
        f"{len(deliveries) / seconds:,.0f} deliveries/s"
    )
    print(f"answers: {answers}; while warming up: {warm_answers}")
    floor_rate, rate = 2 * len(deliveries) / (before + after), len(deliveries) / seconds
    print(
        f"the floor (signature and event row only), same deliveries, same instances, before "
        f"and after the handlers: {before:.2f} s and {after:.2f} s, {floor_rate:,.0f} "
        f"deliveries/s; answers {floor_answers}, {floor_answers_after}"
    )
    print(f"handlers / floor: {rate / floor_rate:.2f}")
    print_cpu(used)
    print(
        f"ledger rows {result['ledger_rows']} (expected {result['expected_rows']}), "
        f"held {result['held']}, drift {result['drift'] or 'none'}"
    )
    ok = result["ledger_rows"] == result["expected_rows"] and not result["drift"]
    sys.exit(0 if ok and not result["held"] else 1)


PARTS = ("the site's workers", "PostgreSQL", "the senders")


def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by the site's gunicorn processes, PostgreSQL's and this one."""
    tick = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys(PARTS, 0.0)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:  # it has ended
            continue
        name, _, rest = stat.partition(" (")[2].rpartition(") ")
        user, system = rest.split()[11:13]
        if b"webhook_floor" in command:
            part = PARTS[0]
        elif name.startswith("postgres"):
            part = PARTS[1]
        elif int(pid) == os.getpid():
            part = PARTS[2]
        else:
            continue
        used[part] += (int(user) + int(system)) / tick
    return used


def print_cpu(used: list[dict]) -> None:
    """What each part used in the handlers' phase, and in a floor phase (the mean of two)."""
    for part in PARTS:
        floor = (used[1][part] - used[0][part] + used[3][part] - used[2][part]) / 2
        handlers = used[2][part] - used[1][part]
        print(f"CPU seconds, {part}: handlers {handlers:.2f}, floor {floor:.2f}")


class _Stub:
    """Stands in for a donation to count a history's events."""

    monthly = True
    recurring = True
    reference = "D-STUB"
    fee_cover_pence = 0
    checkout_session_id = "cs_stub"
    total_charged_pence = 1000
    amount_pence = 1000


if __name__ == "__main__":
    main()
