"""The amounts offered on the form as tiles, a set per frequency, each tile with a line saying
what it becomes."""

from dataclasses import dataclass

from flask import current_app

from donations.gifts.models import Frequency
from donations.ledger.standing import gift_aid_due
from donations.money import format_gbp

#: which preset is chosen before the donor chooses (the second: not the smallest)
DEFAULT_INDEX = 1

#: how the form speaks of each frequency: "the amounts for a monthly gift", "give every month"
#: (and, above a recurring gift's tiles, that it is taken until the donor stops it)
FOR_A = {
    Frequency.ONE_OFF: "a single gift",
    Frequency.MONTHLY: "a monthly gift",
    Frequency.ANNUAL: "a yearly gift",
}
GIVEN = {
    Frequency.ONE_OFF: "once",
    Frequency.MONTHLY: "every month",
    Frequency.ANNUAL: "every year",
}


UNTIL_STOPPED = {
    Frequency.MONTHLY: ", taken on the same day each month until you stop it",
    Frequency.ANNUAL: ", taken on the same day each year until you stop it",
}


@dataclass(frozen=True)
class Tile:
    #: pounds, as the form's `amount` field carries it
    value: str
    label: str
    #: after the amount: "a month", or nothing for a single gift
    per: str
    impact: str
    default: bool


@dataclass(frozen=True)
class TileSet:
    frequency: str
    heading: str
    tiles: list[Tile]


def _pounds(pence: int) -> str:
    return format_gbp(pence, drop_zero_pence=True)


def _one_off(pence: int) -> str:
    return f"{format_gbp(pence + gift_aid_due(pence), drop_zero_pence=True)} with Gift Aid"


def _monthly(pence: int) -> str:
    year = 12 * pence
    return f"{_pounds(year)} a year, {_pounds(year + 12 * gift_aid_due(pence))} with Gift Aid"


def _annual(pence: int) -> str:
    return f"{_pounds(pence + gift_aid_due(pence))} a year with Gift Aid"


def tiles() -> dict[str, TileSet]:
    """The tiles for each frequency, in the order they are shown (made once per app: they
    follow only its settings)."""
    made = current_app.extensions.get("amount_tiles")
    if made is None:
        made = current_app.extensions["amount_tiles"] = _make_tiles()
    return made


def _make_tiles() -> dict[str, TileSet]:
    config = current_app.config
    offered = {
        Frequency.ONE_OFF: (config["PRESET_AMOUNTS_PENCE"], "", _one_off),
        Frequency.MONTHLY: (config["PRESET_MONTHLY_PENCE"], "a month", _monthly),
        Frequency.ANNUAL: (config["PRESET_ANNUAL_PENCE"], "a year", _annual),
    }
    return {
        str(frequency): TileSet(
            str(frequency),
            f"For {FOR_A[frequency]}" + UNTIL_STOPPED.get(frequency, ""),
            [
                Tile(str(pence // 100), _pounds(pence), per, impact(pence), i == DEFAULT_INDEX)
                for i, pence in enumerate(presets)
            ],
        )
        for frequency, (presets, per, impact) in offered.items()
    }


def default_amount(frequency: str) -> str:
    """The tile chosen for a donor who has not chosen yet."""
    return next(t.value for t in tiles()[frequency].tiles if t.default)


def tile_values(frequency: str) -> set[str]:
    """The amounts offered as tiles for one frequency, as the form's `amount` carries them."""
    return {tile.value for tile in tiles()[frequency].tiles}
