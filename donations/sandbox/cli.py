import click
from flask import Blueprint, current_app

from donations.cli_support import refused_as_click_errors
from donations.money import AmountError, parse_pounds
from donations.sandbox import events, movements
from donations.sandbox.movements import SandboxError
from donations.transaction import commit

cli = Blueprint("sandbox_cli", __name__, cli_group="sandbox")

REFERENCE_HELP = "REFERENCE is the donation's reference (D- and ten letters and digits)."


DEMO_REFUSED = (
    "{reference} is one of the demonstration's made-up gifts, written straight into the "
    "records: the sandbox never took it, so it cannot {verb} it. Make a gift through the form "
    "(flask --app wsgi run, then /donate) and use the D- reference on its thank-you page."
)

VERBS = {"settle": "collect", "refund_donation": "refund"}


def _run(action, *args, done: str, **kwargs):
    if not current_app.config["SANDBOX"]:
        raise click.ClickException("The sandbox is off: a real Stripe key is set.")
    if args and isinstance(args[0], str) and args[0].strip().upper().startswith("DEMO-"):
        verb = VERBS.get(action.__name__, "change")
        raise click.ClickException(DEMO_REFUSED.format(reference=args[0].strip(), verb=verb))
    with refused_as_click_errors(SandboxError):
        result = action(*args, **kwargs)
    commit()
    click.echo(done)
    return result


@cli.cli.command("settle", epilog=REFERENCE_HELP)
@click.argument("reference")
def settle(reference: str):
    """Collect a pending Bacs Direct Debit, as Stripe would a few days later."""
    _run(movements.settle, reference, done=f"{reference}: collected.")


@cli.cli.command("fail", epilog=REFERENCE_HELP)
@click.argument("reference")
def fail(reference: str):
    """Fail a pending Bacs Direct Debit."""
    _run(movements.fail, reference, done=f"{reference}: the Direct Debit failed.")


@cli.cli.command("expire", epilog=REFERENCE_HELP)
@click.argument("reference")
def expire(reference: str):
    """Expire a checkout the donor left open."""
    _run(movements.expire, reference, done=f"{reference}: checkout expired.")


@cli.cli.command("renew", epilog=REFERENCE_HELP)
@click.argument("reference")
@click.option("--failing", is_flag=True, help="The payment fails instead.")
def renew(reference: str, failing: bool):
    """Take the next payment of a monthly or yearly gift (a month or a year on)."""
    outcome = "payment failed" if failing else "next payment taken"
    _run(movements.renew, reference, failing=failing, done=f"{reference}: {outcome}.")


@cli.cli.command("refund", epilog=REFERENCE_HELP)
@click.argument("reference")
@click.option("--amount", help="Pounds to refund (default: all that remains).")
def refund(reference: str, amount: str | None):
    """Refund the donation's latest payment, in full or in part."""
    try:
        pence = parse_pounds(amount) if amount is not None else None
    except AmountError as error:
        raise click.BadParameter(str(error)) from error
    made = _run(movements.refund_donation, reference, pence, done=f"{reference}: refunded.")
    click.echo(f"Refund {made['id']} of {made['amount']}p.")


@cli.cli.command("dispute", epilog=REFERENCE_HELP)
@click.argument("reference")
@click.option("--won", is_flag=True, help="The charity wins the dispute (default: it loses).")
def dispute(reference: str, won: bool):
    """The donor's bank disputes the donation's latest payment."""
    done = f"{reference}: dispute {'won' if won else 'lost'}."
    _run(movements.dispute, reference, won=won, done=done)


@cli.cli.command("payout")
def payout():
    """Pay out the sandbox's balance to the charity's bank."""
    made = _run(movements.payout, done="Payout made.")
    if made is None:
        click.echo("Nothing to pay out.")
    else:
        click.echo(f"Payout {made['id']} of {made['amount']}p.")


@cli.cli.command("deliver")
def deliver():
    """Try again every event the sandbox could not deliver."""
    count = _run(events.deliver_waiting, done="Delivered what was waiting.")
    click.echo(f"{count} delivered.")
