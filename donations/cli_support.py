"""What every command group shares: a domain error becomes a clean message and exit 1."""

from collections.abc import Iterator
from contextlib import contextmanager

import click


@contextmanager
def refused_as_click_errors(*errors: type[Exception]) -> Iterator[None]:
    try:
        yield
    except errors as error:
        raise click.ClickException(str(error)) from error
