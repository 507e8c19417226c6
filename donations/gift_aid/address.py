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
