"""The amounts offered on the form as tiles, each with a line saying what it becomes."""

from dataclasses import dataclass

from flask import current_app

from donations.gift_aid.rules import gift_aid_on
from donations.gifts.models import Frequency
from donations.money import format_gbp

#: which preset is chosen before the donor chooses (the second: not the smallest)
DEFAULT_INDEX = 1


@dataclass(frozen=True)
class Tile:
    #: pounds, as the form's `amount` field carries it
    value: str
    label: str
    impact: str
    default: bool


def _pounds(pence: int) -> str:
    return format_gbp(pence, drop_zero_pence=True)


def _one_off(pence: int) -> str:
    return f"{format_gbp(pence + gift_aid_on(pence), drop_zero_pence=True)} with Gift Aid"


def _monthly(pence: int) -> str:
    year = 12 * pence
    return f"{_pounds(year)} a year, {_pounds(year + 12 * gift_aid_on(pence))} with Gift Aid"


def tiles() -> dict[str, list[Tile]]:
    """The tiles for each frequency, in the order they are shown (made once per app: they
    follow only its settings)."""
    made = current_app.extensions.get("amount_tiles")
    if made is None:
        made = current_app.extensions["amount_tiles"] = _make_tiles()
    return made


def _make_tiles() -> dict[str, list[Tile]]:
    config = current_app.config
    offered = {
        Frequency.ONE_OFF: (config["PRESET_AMOUNTS_PENCE"], _one_off),
        Frequency.MONTHLY: (config["PRESET_MONTHLY_PENCE"], _monthly),
    }
    return {
        str(frequency): [
            Tile(str(pence // 100), _pounds(pence), impact(pence), index == DEFAULT_INDEX)
            for index, pence in enumerate(presets)
        ]
        for frequency, (presets, impact) in offered.items()
    }


def default_amount(frequency: str) -> str:
    """The tile chosen for a donor who has not chosen yet."""
    return next(t.value for t in tiles()[frequency] if t.default)
