import click
from flask import Blueprint

from donations.cli_support import refused_as_click_errors
from donations.gifts import moderation
from donations.gifts.supporters import shown_name
from donations.transaction import commit

cli = Blueprint("messages_cli", __name__, cli_group="messages")


@cli.cli.command("pending")
def pending():
    """List supporters' messages waiting for a decision (ID is the donation reference)."""
    waiting = moderation.pending_messages()
    for donation in waiting:
        click.echo(f"{donation.reference}  {shown_name(donation)}: {donation.message}")
    click.echo(f"{len(waiting)} waiting.")


def _decide(reference: str, approve: bool) -> None:
    with refused_as_click_errors(moderation.ModerationError):
        moderation.moderate(reference, approve)
    commit()
    click.echo(f"{reference}: {'approved' if approve else 'rejected'}.")


@cli.cli.command("approve")
@click.argument("reference")
def approve(reference: str):
    """Show this message on the fund's page."""
    _decide(reference, approve=True)


@cli.cli.command("reject")
@click.argument("reference")
def reject(reference: str):
    """Never show this message."""
    _decide(reference, approve=False)
