"""HMRC's rules for each row of a claim schedule (GIFT_AID.md's table, from HMRC's own
validator): what a row's cells must hold, the changes that lose nothing and are made for
the user (each one listed), and the problems only a person can fix."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from anyascii import anyascii

from donations.gift_aid.address import PRINTED_MAX, normalise_postcode, printed_house

#: what HMRC keeps: printable Latin-1; anything else it silently strips
KEPT = re.compile(r"[\x20-\x7E\xA1-\xFF]")
TITLE = re.compile(r"[A-Za-z][A-Za-z'-]{1,3}")
NAME_MAX = 35
HOUSE_MAX = PRINTED_MAX
AGGREGATE_DESCRIPTION_MAX = 35
AGGREGATE_TOTAL_MAX_PENCE = 100_000
ABROAD = "X"


def transliterate(text: str) -> str:
    """Each character HMRC would strip, as the nearest it keeps: "Ł" as "L", "ř" as "r"."""
    out = []
    for char in text:
        if KEPT.fullmatch(char):
            out.append(char)
            continue
        decomposed = "".join(
            part for part in unicodedata.normalize("NFKD", char) if KEPT.fullmatch(part)
        )
        out.append(decomposed or anyascii(char))
    return "".join(out)


def _single_spaced(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Row:
    """One donor's row of the schedule, as HMRC will read it."""

    title: str
    first_name: str
    last_name: str
    house: str
    postcode: str
    given_on: date
    amount_pence: int
    sponsored: bool = False
    #: what was changed to fit HMRC's rules, in words, for the user to check
    changes: list[str] = field(default_factory=list)
    #: what HMRC would refuse, which a person must fix
    problems: list[str] = field(default_factory=list)


def _fit_name(label: str, typed: str | None, changes: list[str], *, hyphens: bool) -> str:
    text = _single_spaced(typed or "")
    kept = transliterate(text)
    if hyphens:
        kept = _single_spaced(kept.replace("-", " "))
    if kept != text:
        changes.append(f'{label} "{text}" written as "{kept}".')
    return kept


def _fit_title(typed: str | None, changes: list[str]) -> str:
    text = _single_spaced(typed or "")
    if not text:
        return ""
    kept = transliterate(text).replace(".", "").replace(" ", "")
    if TITLE.fullmatch(kept):
        if kept != text:
            changes.append(f'Title "{text}" written as "{kept}".')
        return kept
    changes.append(
        f'Title "{text}" left out: HMRC takes a title of 2 to 4 letters (it is optional).'
    )
    return ""


def _fit_postcode(typed: str | None, overseas: bool, changes, problems) -> str:
    if overseas:
        return ABROAD
    postcode = normalise_postcode(typed)
    if postcode is None:
        problems.append(f'Postcode "{typed or ""}" is not a UK postcode HMRC accepts.')
        return typed or ""
    if postcode != typed:
        changes.append(f'Postcode "{typed}" written as "{postcode}".')
    return postcode


def _house(declaration, changes: list[str]) -> str:
    """The house name or number; for a donor abroad, the address (HMRC's column F)."""
    text = printed_house(declaration.house, declaration.address, declaration.overseas)
    kept = transliterate(text)
    if kept != text:
        changes.append(f'Address "{text}" written as "{kept}".')
    return kept


def row_for(declaration, given_on: date, amount_pence: int, *, sponsored: bool, today: date):
    """The schedule row for a gift under this declaration, with its changes and problems."""
    changes: list[str] = []
    problems: list[str] = []
    row = Row(
        title=_fit_title(declaration.title, changes),
        first_name=_fit_name("First name", declaration.first_name, changes, hyphens=False),
        last_name=_fit_name("Last name", declaration.last_name, changes, hyphens=True),
        house=_house(declaration, changes),
        postcode=_fit_postcode(declaration.postcode, declaration.overseas, changes, problems),
        given_on=given_on,
        amount_pence=amount_pence,
        sponsored=sponsored,
        changes=changes,
        problems=problems,
    )
    _check_lengths(row)
    if given_on > today:
        problems.append("The gift's date is in the future.")
    if amount_pence < 1:
        problems.append("The amount must be at least £0.01.")
    return row


def _check_lengths(row: Row) -> None:
    for label, value, limit in (
        ("First name", row.first_name, NAME_MAX),
        ("Last name", row.last_name, NAME_MAX),
        ("House name or number", row.house, HOUSE_MAX),
    ):
        if not value:
            row.problems.append(f"{label} is missing.")
        elif len(value) > limit:
            row.problems.append(f"{label} is {len(value)} characters; HMRC takes at most {limit}.")
