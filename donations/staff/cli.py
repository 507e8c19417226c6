import sys

import click
from flask import Blueprint

from donations.cli_support import refused_as_click_errors
from donations.staff import accounts
from donations.staff.roles import ROLES
from donations.transaction import commit

cli = Blueprint("staff_cli", __name__, cli_group="staff")


def _password() -> str:
    """Asked for twice at a terminal; read from the first line of standard input otherwise."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _member(email: str):
    member = accounts.by_email(email)
    if member is None:
        raise click.ClickException(f"No staff account for {email}.")
    return member


@cli.cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in ROLES]), required=True)
def create(email: str, role: str):
    """Make a staff account. The password is asked for (or read from standard input)."""
    with refused_as_click_errors(accounts.StaffError):
        member = accounts.create(email, _password(), role)
    commit()
    click.echo(f"{member.email} can now sign in at /finance/login as {role}.")


@cli.cli.command("list")
def list_staff():
    """Every staff account, its role, and whether it may sign in."""
    for member in accounts.everyone():
        state = "" if member.active else "  (closed)"
        click.echo(f"{member.email:40} {member.role:8}{state}")


@cli.cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([role.value for role in ROLES]))
def set_role(email: str, role: str):
    """Change an account's role; its sessions end."""
    member = _member(email)
    with refused_as_click_errors(accounts.StaffError):
        accounts.set_role(member, role)
    commit()
    click.echo(f"{member.email} is now {role}.")


@cli.cli.command("set-password")
@click.argument("email")
def set_password(email: str):
    """Give an account a new password (asked for, or read from standard input)."""
    member = _member(email)
    with refused_as_click_errors(accounts.StaffError):
        accounts.set_password(member, _password())
    commit()
    click.echo(f"{member.email} has a new password; their sessions have ended.")


@cli.cli.command("close")
@click.argument("email")
def close(email: str):
    """Stop an account signing in (its records in the audit log stay)."""
    member = _member(email)
    with refused_as_click_errors(accounts.StaffError):
        accounts.set_active(member, False)
    commit()
    click.echo(f"{member.email} can no longer sign in.")
