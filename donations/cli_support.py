"""What every command group shares: a domain error becomes a clean message and exit 1."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import click


@contextmanager
def refused_as_click_errors(*errors: type[Exception]) -> Iterator[None]:
    try:
        yield
    except errors as error:
        raise click.ClickException(str(error)) from error


def visible(text: str | None) -> str:
    """Text for a terminal, quoted, with every character that is not plainly printable
    escaped ("\\n", "\\r", "\\x1b", "\\u202e"), so it cannot hide or rewrite what is shown."""
    if text is None:
        return "-"
    escaped = []
    for character in text:
        if character == "\\":
            escaped.append("\\\\")
        elif character == "\n":
            escaped.append("\\n")
        elif character.isprintable():
            escaped.append(character)
        else:
            escaped.append(
                f"\\u{ord(character):04x}" if ord(character) > 0xFF else repr(character)[1:-1]
            )
    return '"' + "".join(escaped).replace('"', '\\"') + '"'


def iso_day(_ctx, _param, value: str | None) -> date | None:
    """A click callback: the option's date, written YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("write the date as YYYY-MM-DD") from error
