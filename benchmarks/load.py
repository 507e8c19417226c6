"""A TV appeal's peak, end to end, and a bad day during it.

Simulated donors fill the donation form, open Checkout and pay, against two gunicorn
instances (two workers each) in Stripe mode, with PostgreSQL and Redis, as in production
behind a proxy. The local Stripe-compatible server (tests/payments/fake_stripe.py) takes each
payment and sends `checkout.session.completed` to `/stripe/webhook`, signed, from a pool of
senders, trying again with backoff until it gets a 2xx, as Stripe does. The donor then comes
back to the thank-you page. The outbox worker sends each receipt to a real SMTP server
(aiosmtpd) in this process.

At the end, with every delivery taken and every receipt sent: the ledger holds exactly what
donors paid (each payment once, the same pence, every fund's totals equal to its ledger),
and each donor got exactly one receipt. The run fails (exit 1) otherwise.

A fault may be put in the middle of the load (`--fault`):
  kill-worker       a gunicorn worker killed (kill -9) every two seconds, mid-request
  restart-postgres  PostgreSQL (a throwaway server this run starts itself) restarted
  stop-redis        Redis (a throwaway server this run starts) stopped, then started again
  mail-down         the mail server gone for the middle of the run, then back

    .venv/bin/python benchmarks/load.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/load.py --fault kill-worker ...

Prints gifts per second, p50 and p99 of the form and the webhook, what the fault did, and
the exactness checks. Everything it starts, it stops; the database it made, it drops.
"""

import argparse
import collections
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.scratch import drop_database, free_port, fresh_database  # noqa: E402
from donations.sandbox.signing import signature_header  # noqa: E402
from tests.payments import fake_stripe  # noqa: E402

VENV = ROOT / ".venv" / "bin"
SECRET = "whsec_load_benchmark_only"  # noqa: S105  (a local benchmark's own secret)
PG_BIN = Path("/usr/lib/postgresql/15/bin")
FUNDS = ("actimus", "stem-cell-audit")
AMOUNTS = {"10": 1000, "25": 2500, "50": 5000, "100": 10000}


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not happen within {seconds:.0f} s")


# --- the parts a production site has -------------------------------------------------------


class ThrowawayPostgres:
    """A PostgreSQL server of this run's own, so it can be restarted without touching
    anyone else's."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="load-pg-"))
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(PG_BIN / "initdb", "-D", self.dir / "data", "-A", "trust", "-U", "postgres")
        self.start()

    def _run(self, *command) -> None:
        subprocess.run([*self.as_postgres, *map(str, command)], check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        data, log = self.dir / "data", self.dir / "log"
        self._run(PG_BIN / "pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class ThrowawayRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._answers, 10, "Redis starting")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class MailServer:
    """A real SMTP server (aiosmtpd) that keeps who each message went to."""

    def __init__(self) -> None:
        self.port = free_port()
        self.recipients: collections.Counter = collections.Counter()
        self.controller = None
        self.start()

    def start(self) -> None:
        from aiosmtpd.controller import Controller  # noqa: PLC0415

        server = self

        class Keep:
            async def handle_DATA(self, smtp, session, envelope):
                server.recipients.update(envelope.rcpt_tos)
                return "250 OK"

        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


# --- Stripe: takes the payment, then delivers the event until it is taken -----------------


class Stripe(fake_stripe.FakeStripe):
    """The fake's API, and the page where a donor pays: POST /bench/pay/<session>."""

    def do_POST(self):
        if not self.path.startswith("/bench/pay/"):
            return super().do_POST()
        session_id = self.path.rsplit("/", 1)[-1]
        with self.server.lock:
            session = self.server.sessions.get(session_id)
            first = session is not None and session["status"] == "open"
            if first:
                session.update(
                    status="complete",
                    payment_status="paid",
                    payment_intent=f"pi_load_{len(self.server.paid)}",
                )
                self.server.paid[session_id] = session["amount_total"]
        if session is None:
            return self._answer(404, {"error": {"message": "No such checkout.session"}})
        if first:
            self.server.deliveries.put((event_for(session), 0, 0.0))
        return self._answer(200, {"paid": True})


def event_for(session: dict) -> dict:
    return {
        "id": f"evt_{session['id']}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "api_version": "2026-10-28.endive",
        "livemode": False,
        "data": {"object": dict(session)},
    }


class Deliverer:
    """Stripe's webhook sender: several at once, each delivery tried until a 2xx, waiting
    longer after each failure."""

    SENDERS = 8

    def __init__(self, stripe, urls: list[str]) -> None:
        self.stripe, self.urls = stripe, urls
        self.latencies: list[float] = []
        self.answers: collections.Counter = collections.Counter()
        self.pending = 0
        self.lock = threading.Lock()
        self.stopping = False
        self.threads = [
            threading.Thread(target=self._send, daemon=True) for _ in range(self.SENDERS)
        ]
        for thread in self.threads:
            thread.start()

    def _send(self) -> None:
        http = requests.Session()
        while not self.stopping:
            try:
                event, tries, not_before = self.stripe.deliveries.get(timeout=0.2)
            except queue.Empty:
                continue
            with self.lock:
                self.pending += 1
            time.sleep(max(0.0, not_before - time.monotonic()))
            payload = json.dumps(event).encode()
            url = self.urls[random.randrange(len(self.urls))]  # noqa: S311  (a load balancer)
            started = time.perf_counter()
            try:
                answer = http.post(
                    url,
                    data=payload,
                    headers={
                        "Stripe-Signature": signature_header(payload, SECRET),
                        "Content-Type": "application/json",
                    },
                    timeout=30,
                )
                status = answer.status_code
            except requests.RequestException:
                status = "no answer"
            with self.lock:
                self.answers[status] += 1
                if status == 200:
                    self.latencies.append(time.perf_counter() - started)
                self.pending -= 1
            if status != 200:  # as Stripe: again later, a little later each time
                wait = min(0.5 * 2**tries, 8.0)
                self.stripe.deliveries.put((event, tries + 1, time.monotonic() + wait))

    def idle(self) -> bool:
        with self.lock:
            return self.stripe.deliveries.empty() and self.pending == 0

    def stop(self) -> None:
        self.stopping = True
        for thread in self.threads:
            thread.join()


# --- donors ----------------------------------------------------------------------------------

TOKEN = re.compile(r'name="(csrf_token|form_token)"[^>]*value="([^"]+)"')


class Donors:
    """Each donor: the form, then Checkout, then pays on Stripe's page and comes back. A 503
    (the database away) or no answer (a worker killed) is tried again a moment later, with
    the same form (the page keeps what was typed), as a donor presses "Try again"."""

    def __init__(self, sites: list[str], stripe_url: str, gifts: int, concurrency: int) -> None:
        self.sites, self.stripe_url = sites, stripe_url
        self.next_gift = iter(range(gifts))
        self.claim = threading.Lock()
        self.form_latencies: list[float] = []
        self.answers: collections.Counter = collections.Counter()
        self.tracebacks = 0
        self.given: dict[str, tuple[str, int]] = {}  # e-mail -> (fund, pence)
        self.done = 0
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._giving, daemon=True) for _ in range(concurrency)
        ]

    def run(self) -> None:
        for thread in self.threads:
            thread.start()
        for thread in self.threads:
            thread.join()

    def _request(self, http, method: str, path: str, n: int, **kwargs):
        """One page, as many times as it takes: (answer, seconds of the answer that came)."""
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        for _ in range(120):
            site = self.sites[random.randrange(len(self.sites))]  # noqa: S311  (a load balancer)
            started = time.perf_counter()
            try:
                answer = http.request(
                    method,
                    site + path,
                    headers={"X-Forwarded-For": address},
                    allow_redirects=False,
                    timeout=30,
                    **kwargs,
                )
            except requests.RequestException:
                self._count("no answer")
                time.sleep(0.5)
                continue
            seconds = time.perf_counter() - started
            self._count(answer.status_code)
            if "Traceback" in answer.text:
                with self.lock:
                    self.tracebacks += 1
            if answer.status_code in (502, 503, 504):
                time.sleep(1.0)
                continue
            return answer, seconds
        raise RuntimeError(f"{method} {path} never answered")

    def _count(self, status) -> None:
        with self.lock:
            self.answers[status] += 1

    def _giving(self) -> None:
        """One donor after another; a donor who could not give is a failed run, not a gift
        quietly missing from both sides of the count."""
        try:
            self._give()
        except Exception as error:  # reported, and the run fails
            with self.lock:
                self.failures.append(repr(error))

    def _give(self) -> None:
        while True:
            with self.claim:
                n = next(self.next_gift, None)
            if n is None:
                return
            http = requests.Session()
            form, _ = self._request(http, "GET", "/donate", n)
            tokens = dict(TOKEN.findall(form.text))
            fund, amount = FUNDS[n % 2], list(AMOUNTS)[n % 4]
            email = f"donor{n}@example.org"
            typed = {
                **tokens,
                "fund": fund,
                "amount": amount,
                "frequency": "one-off",
                "first_name": "Load",
                "last_name": f"Donor {n}",
                "email": email,
            }
            if n % 3 == 0:
                typed.update(gift_aid="y", house=str(n % 90 + 1), postcode="SW1A 1AA")
            sent, seconds = self._request(http, "POST", "/donate", n, data=typed)
            if sent.status_code != 303:
                raise RuntimeError(f"the form answered {sent.status_code}: {sent.text[:300]}")
            session_id = sent.headers["Location"].rsplit("/", 1)[-1]
            paid = requests.post(f"{self.stripe_url}/bench/pay/{session_id}", timeout=30)
            paid.raise_for_status()
            self._request(http, "GET", f"/donate/thanks?session_id={session_id}", n)
            with self.lock:
                self.form_latencies.append(seconds)
                self.given[email] = (fund, AMOUNTS[amount])
                self.done += 1


# --- the site ------------------------------------------------------------------------------


def environment(database_url: str, redis_url: str, stripe_url: str, mail_port: int, workdir: Path):
    env = {
        **os.environ,
        "DONATIONS_INSTANCE": str(workdir),
        "DONATIONS_ENV": "development",
        "DATABASE_URL": database_url.replace("postgresql://", "postgresql+psycopg://"),
        "REDIS_URL": redis_url,
        "STRIPE_SECRET_KEY": "sk_test_load",
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_API_BASE": stripe_url,
        "PROXY_COUNT": "1",
        "LOG_FORMAT": "json",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_port),
        "MAIL_USE_TLS": "false",
    }
    env.pop("PUBLIC_URL", None)
    return env


def start_site(env: dict, port: int, log: Path) -> subprocess.Popen:
    gunicorn = [VENV / "gunicorn", "--workers", "2", "--no-control-socket"]
    process = subprocess.Popen(
        [*gunicorn, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 30, "gunicorn starting")
    return process


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def workers_of(master: subprocess.Popen) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(master.pid)], check=False, capture_output=True, text=True
    )
    return [int(pid) for pid in found.stdout.split()]


# --- faults ------------------------------------------------------------------------------------


def put_fault(kind: str, donors: Donors, gifts: int, parts: dict, said: list[str]) -> None:
    """Wait for the load to be under way, then break something, as the kind says."""
    wait_for(lambda: donors.done >= gifts * 0.2, 600, "a fifth of the gifts")
    if kind == "kill-worker":
        killed = 0
        while donors.done < gifts * 0.8:
            master = random.choice(parts["sites"])  # noqa: S311
            victims = workers_of(master)
            if victims:
                os.kill(random.choice(victims), signal.SIGKILL)  # noqa: S311
                killed += 1
            time.sleep(2)
        said.append(
            f"{killed} gunicorn workers killed with SIGKILL between 20% and 80% of the gifts"
        )
    elif kind == "restart-postgres":
        started = time.monotonic()
        parts["postgres"].stop()
        time.sleep(3)
        parts["postgres"].start()
        said.append(
            f"PostgreSQL stopped and started again: away {time.monotonic() - started:.1f} s"
        )
    elif kind == "stop-redis":
        parts["redis"].stop()
        wait_for(lambda: donors.done >= gifts * 0.6, 600, "three fifths of the gifts")
        parts["redis"].start()
        said.append("Redis stopped at 20% of the gifts and started again at 60%")
    elif kind == "mail-down":
        parts["mail"].stop()
        wait_for(lambda: donors.done >= gifts * 0.7, 600, "seven tenths of the gifts")
        parts["mail"].start()
        said.append("the mail server stopped at 20% of the gifts and started again at 70%")


# --- the checks at the end -----------------------------------------------------------------


PAYMENTS = (
    "SELECT count(*), coalesce(sum(amount_pence), 0) FROM ledger_entries WHERE kind = 'payment'"
)
PER_FUND = (
    "SELECT f.slug, coalesce(sum(l.amount_pence), 0) FROM funds f "
    "LEFT JOIN ledger_entries l ON l.fund_id = f.id AND l.kind = 'payment' GROUP BY f.slug"
)
RAISED = "SELECT f.slug, t.raised_pence FROM fund_totals t JOIN funds f ON f.id = t.fund_id"
PAID = "SELECT count(*) FROM donations WHERE status = 'paid'"
WAITING = "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL AND given_up_at IS NULL"


def ledger_figures(database_url: str) -> dict:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(database_url) as connection:
        return {
            "payments": tuple(connection.execute(PAYMENTS).fetchone()),
            "per_fund": dict(connection.execute(PER_FUND).fetchall()),
            "raised": dict(connection.execute(RAISED).fetchall()),
            "paid_donations": connection.execute(PAID).fetchone()[0],
            "receipts_waiting": connection.execute(WAITING).fetchone()[0],
        }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def flask(env: dict, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [VENV / "flask", "--app", "wsgi", *command],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )


def start_everything(args, workdir: Path, parts: dict) -> dict:
    """PostgreSQL (a fresh database), Redis, the mail server, Stripe, two gunicorn instances
    and the outbox worker; returns the site's environment."""
    if args.fault == "restart-postgres":
        parts["postgres"] = ThrowawayPostgres()
    server_url = parts["postgres"].url if "postgres" in parts else args.database_url
    parts["database"] = fresh_database(server_url, "bench_load")
    parts["redis"] = ThrowawayRedis()
    parts["mail"] = MailServer()
    stripe = fake_stripe.start(Stripe)
    stripe.lock, stripe.paid, stripe.deliveries = threading.Lock(), {}, queue.Queue()
    parts["stripe"] = stripe
    stripe_url = f"http://127.0.0.1:{stripe.server_port}"
    env = environment(
        parts["database"], parts["redis"].url, stripe_url, parts["mail"].port, workdir
    )
    if flask(env, "db", "upgrade").returncode != 0:
        raise RuntimeError("the database could not be made")
    ports = [free_port(), free_port()]
    parts["sites"] = [
        start_site(env, port, workdir / f"site-{n}.log") for n, port in enumerate(ports)
    ]
    parts["urls"] = [f"http://127.0.0.1:{port}" for port in ports]
    parts["worker"] = subprocess.Popen(
        [VENV / "flask", "--app", "wsgi", "outbox", "work", "--interval", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "outbox.log").open("w"),
    )
    return env


def stop_everything(parts: dict) -> None:
    for process in [parts.get("worker"), *parts.get("sites", [])]:
        if process is not None:
            process.terminate()
            process.wait()
    if "stripe" in parts:
        parts["stripe"].shutdown()
    if "mail" in parts:
        parts["mail"].stop()
    if "redis" in parts:
        parts["redis"].stop()
    if "postgres" in parts:
        parts["postgres"].close()
    elif "database" in parts:
        drop_database(parts["database"])


def give_under_load(args, parts: dict, said: list[str]) -> tuple[Donors, Deliverer, float]:
    """Every donor's gift, a fault in the middle if asked; then every delivery taken."""
    stripe = parts["stripe"]
    deliverer = Deliverer(stripe, [url + "/stripe/webhook" for url in parts["urls"]])
    donors = Donors(
        parts["urls"], f"http://127.0.0.1:{stripe.server_port}", args.gifts, args.donors
    )
    fault = None
    if args.fault != "none":
        fault = threading.Thread(
            target=put_fault, args=(args.fault, donors, args.gifts, parts, said), daemon=True
        )
        fault.start()
    started = time.perf_counter()
    donors.run()
    wait_for(deliverer.idle, 600, "every delivery taken")
    seconds = time.perf_counter() - started
    if fault is not None:
        fault.join()
    deliverer.stop()
    wait_for(
        lambda: sum(parts["mail"].recipients.values()) >= len(donors.given),
        600,
        "every receipt sent",
    )
    time.sleep(2)  # a receipt sent twice would have arrived by now
    return donors, deliverer, seconds


def exactness(donors: Donors, parts: dict, figures: dict, totals_check) -> dict[str, bool]:
    paid = parts["stripe"].paid
    expected_per_fund = collections.Counter()
    for fund, pence in donors.given.values():
        expected_per_fund[fund] += pence
    receipts = parts["mail"].recipients
    return {
        "every payment in the ledger once": figures["payments"] == (len(paid), sum(paid.values())),
        "each fund's ledger is what its donors paid": figures["per_fund"]
        == dict(expected_per_fund),
        "each fund's totals equal its ledger": figures["raised"] == figures["per_fund"],
        "every paid gift marked paid": figures["paid_donations"] == len(paid),
        "totals check passes": totals_check.returncode == 0,
        "one receipt to each donor, none to anyone else": set(receipts) == set(donors.given)
        and set(receipts.values()) == {1},
        "nothing left in the outbox": figures["receipts_waiting"] == 0,
        "no traceback and no 500 served": donors.tracebacks == 0 and 500 not in donors.answers,
        "every donor could give": not donors.failures and len(donors.given) == donors.done,
    }


def report(args, donors, deliverer, seconds, *, parts, figures, said) -> None:
    paid = parts["stripe"].paid
    receipts = parts["mail"].recipients
    print(
        f"{len(donors.given):,} gifts by {args.donors} donors at once on 2 instances x 2 workers "
        f"(PostgreSQL, Redis, Stripe mode) in {seconds:.1f} s: "
        f"{len(donors.given) / seconds:.1f} gifts/s"
    )
    print(
        f"form (POST /donate): p50 {percentile(donors.form_latencies, 0.5):.0f} ms, "
        f"p99 {percentile(donors.form_latencies, 0.99):.0f} ms; "
        f"webhook: p50 {percentile(deliverer.latencies, 0.5):.0f} ms, "
        f"p99 {percentile(deliverer.latencies, 0.99):.0f} ms"
    )
    print(f"pages answered: {dict(donors.answers)}; deliveries answered: {dict(deliverer.answers)}")
    for line in said:
        print(f"fault: {line}")
    for failure in donors.failures:
        print(f"a donor could not give: {failure}")
    print(
        f"ledger: {figures['payments'][0]:,} payments, {figures['payments'][1] / 100:,.2f} GBP; "
        f"paid at Stripe: {len(paid):,}, {sum(paid.values()) / 100:,.2f} GBP; "
        f"receipts: {sum(receipts.values()):,} to {len(receipts):,} addresses"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--gifts", type=int, default=1500)
    parser.add_argument("--donors", type=int, default=24, help="donors giving at once")
    parser.add_argument("--fault", choices=FAULTS, default="none")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    parts: dict = {}
    said: list[str] = []
    try:
        env = start_everything(args, workdir, parts)
        donors, deliverer, seconds = give_under_load(args, parts, said)
        figures = ledger_figures(parts["database"])
        totals_check = flask(env, "totals", "check")
        logs = "".join(path.read_text() for path in workdir.glob("*.log"))
    finally:
        stop_everything(parts)
        shutil.rmtree(workdir, ignore_errors=True)

    report(args, donors, deliverer, seconds, parts=parts, figures=figures, said=said)
    checks = exactness(donors, parts, figures, totals_check)
    noted = {
        said: logs.count(said)
        for said in ("database unavailable", "e-mail failed", "the database is away")
        if said in logs
    }
    if noted:
        print(f"log lines: {noted}")
    if args.fault == "stop-redis":
        fell_back = "falling back to in-memory storage" in logs
        recovered = "Rate limit storage recovered" in logs
        print(f"logs: each process counted alone: {fell_back}; Redis recovered: {recovered}")
        checks["the fall back to each process's own counts was logged"] = fell_back
    for check, passed in checks.items():
        print(f"  {'ok    ' if passed else 'FAILED'} {check}")
    sys.exit(0 if all(checks.values()) else 1)


FAULTS = ("none", "kill-worker", "restart-postgres", "stop-redis", "mail-down")


if __name__ == "__main__":
    main()
