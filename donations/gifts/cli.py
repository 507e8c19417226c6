import click
from flask import Blueprint

from donations.cli_support import refused_as_click_errors, visible
from donations.gifts import moderation
from donations.transaction import commit

cli = Blueprint("messages_cli", __name__, cli_group="messages")


@cli.cli.command("pending")
def pending():
    """List supporters' names and messages waiting for a decision (ID: the donation reference).

    Text is shown escaped ("\\n" for a new line), so nothing in it can hide what follows."""
    waiting = moderation.awaiting_decision()
    for donation in waiting:
        click.echo(
            f"{donation.reference}  name: {visible(donation.display_name)}"
            f"  message: {visible(donation.message)}"
        )
    click.echo(f"{len(waiting)} waiting.")


def _decide(reference: str, approve: bool) -> None:
    with refused_as_click_errors(moderation.ModerationError):
        moderation.moderate(reference, approve)
    commit()
    click.echo(f"{reference}: {'approved' if approve else 'rejected'}.")


@cli.cli.command("approve")
@click.argument("reference")
def approve(reference: str):
    """Show this name and message on the fund's page."""
    _decide(reference, approve=True)


@cli.cli.command("reject")
@click.argument("reference")
def reject(reference: str):
    """Never show this name or message."""
    _decide(reference, approve=False)
