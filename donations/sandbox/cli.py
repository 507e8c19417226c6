import click
from flask import Blueprint, current_app

from donations.cli_support import refused_as_click_errors
from donations.sandbox import services as sandbox
from donations.transaction import commit

cli = Blueprint("sandbox_cli", __name__, cli_group="sandbox")


def _run(action, reference: str):
    if not current_app.config["SANDBOX"]:
        raise click.ClickException("The sandbox is off: a real Stripe key is set.")
    with refused_as_click_errors(sandbox.SandboxError):
        answer = action(reference)
    commit()
    click.echo(f"{reference}: {answer.body.get('outcome', answer.body)}")


@cli.cli.command("settle")
@click.argument("reference")
def settle(reference: str):
    """Collect a pending Bacs Direct Debit, as Stripe would a few days later."""
    _run(sandbox.settle, reference)


@cli.cli.command("fail")
@click.argument("reference")
def fail(reference: str):
    """Fail a pending Bacs Direct Debit."""
    _run(sandbox.fail, reference)
