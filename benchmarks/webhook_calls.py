"""The webhook benchmark's deliveries counted in Python function calls, not seconds: a measure
that does not drift with the machine.

`benchmarks/webhooks.py` reads the handlers' rate against the floor's, and on a shared machine
both move by a fifth from one run to the next, so a change worth 5% cannot be seen in fewer
than a dozen runs. Here the same deliveries (the same histories, 30% duplicates, the same
order) go through the app in this one process, under cProfile, once to `/stripe/webhook` and
once to the floor (`/bench/floor`), and what is printed is the function calls per delivery
of each and their ratio: the same from run to run, to the call. Calls are not CPU seconds
(PostgreSQL's work and the time in each call are not in them), but the webhook benchmark's
ratio has followed this one: 0.41 here when it gave 0.39 to 0.47 (README). Use this to
choose a change, and the real benchmark to show it.

    .venv/bin/python benchmarks/webhook_calls.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

The database is a new one (bench_webhook_calls), dropped afterwards.
"""

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import webhooks  # noqa: E402
from benchmarks.scratch import drop_database  # noqa: E402


def calls_per_delivery(client, deliveries: list[bytes], path: str) -> float:
    """Python function calls (cProfile's count, built-ins included) per delivery, each
    answered 200."""
    from donations.sandbox.signing import signature_header  # noqa: PLC0415

    signed = [
        (payload, {"Stripe-Signature": signature_header(payload, webhooks.SECRET)})
        for payload in deliveries
    ]
    profile = cProfile.Profile()
    for payload, headers in signed:
        profile.enable()
        answer = client.post(path, data=payload, headers=headers)
        profile.disable()
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}: {answer.get_data()[:200]}")
    calls = sum(counts[1] for counts in pstats.Stats(profile).stats.values())
    return calls / len(deliveries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server")
    parser.add_argument("--deliveries", type=int, default=1000)
    args = parser.parse_args()
    database_url, _ = webhooks.migrated_database(args.database_url, "bench_webhook_calls")
    from benchmarks.webhook_floor import app  # noqa: PLC0415  (made from the environment)

    warm_up, deliveries, _, _ = webhooks.prepared(app, args.deliveries)
    client = app.test_client()
    try:  # the first use of each path's code is not counted
        calls_per_delivery(client, warm_up, "/stripe/webhook")
        calls_per_delivery(client, webhooks.as_floor(warm_up, "floor_warm"), webhooks.FLOOR)
        handlers = calls_per_delivery(client, deliveries, "/stripe/webhook")
        floor = calls_per_delivery(client, webhooks.as_floor(deliveries), webhooks.FLOOR)
    finally:
        with app.app_context():
            from donations.extensions import db  # noqa: PLC0415

            db.engine.dispose()
        drop_database(database_url)
    print(
        f"{len(deliveries):,} deliveries in one process: handlers {handlers:,.0f} calls each, "
        f"the floor {floor:,.0f}"
    )
    print(f"floor / handlers, in calls: {floor / handlers:.2f}")


if __name__ == "__main__":
    main()
