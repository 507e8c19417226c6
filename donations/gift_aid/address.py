"""The home address a Gift Aid declaration needs, held to HMRC's own patterns (GIFT_AID.md)."""

import re

# HMRC's postcode pattern, on the upper-cased, single-spaced form.
UK_POSTCODE = re.compile(
    r"(GIR 0AA)|((([A-Z][0-9][0-9]?)|(([A-Z][A-HJ-Y][0-9][0-9]?)|(([A-Z][0-9][A-Z])"
    r"|([A-Z][A-HJ-Y][0-9][A-Z])))) [0-9][A-Z]{2})"
)


def normalise_postcode(text: str | None) -> str | None:
    """'sw1a1aa' -> 'SW1A 1AA'; None when it is not a UK postcode."""
    compact = re.sub(r"\s+", "", text or "").upper()
    spaced = f"{compact[:-3]} {compact[-3:]}"  # the inward code is always the last three
    return spaced if UK_POSTCODE.fullmatch(spaced) else None


#: HMRC prints a house name or number, or for a donor abroad the whole address, in 40
#: characters (the schedule's column F)
PRINTED_MAX = 40
#: the most a postcode may be as typed (spaces and all); kept as HMRC writes it, in 8
POSTCODE_TYPED_MAX = 16
ABROAD_POSTCODE = "X"


def printed_house(house: str | None, address: str | None, overseas: bool) -> str:
    """What HMRC prints as the house: the house name or number; for a donor abroad, the house
    and the rest of the address, "Calle Mayor 5, Madrid, Spain"."""
    parts = [house or ""]
    if overseas:
        parts.append(address or "")
    return " ".join(", ".join(part.strip() for part in parts if part.strip()).split())


def home_address_problems(
    house: str | None, address: str | None, postcode: str | None, overseas: bool
) -> tuple[dict[str, str], str | None]:
    """HMRC's rules for a declaration's home address, for the donor's form, the offline form
    and import, and the correction of a declaration: the problem with each field there is
    one with (by field name), and the postcode as HMRC takes it (None for a donor abroad)."""
    problems: dict[str, str] = {}
    if not (house or "").strip():
        problems["house"] = "Enter the house name or number, for Gift Aid."
    if overseas:
        printed = printed_house(house, address, overseas)
        if not (address or "").strip():
            problems["address"] = "Enter the rest of the home address, for Gift Aid."
        elif len(printed) > PRINTED_MAX:
            problems["address"] = (
                f"HMRC prints an address outside the UK in {PRINTED_MAX} characters, with the "
                f"house: this one is {len(printed)}. Shorten it, for example to the street, "
                "town and country."
            )
        return problems, None
    if not (postcode or "").strip():
        problems["postcode"] = "Enter the postcode for Gift Aid, or say the home is outside the UK."
        return problems, None
    normalised = normalise_postcode(postcode)
    if normalised is None:
        problems["postcode"] = "Enter a UK postcode, like SW1A 1AA."
    return problems, normalised
