"""The Stripe catalogue: one Product per fund and one for the fee cover, made once and reused
by every Checkout Session (price_data.product); one Customer per donor, by e-mail."""

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from donations import keyed
from donations.extensions import db
from donations.funds.models import Fund
from donations.payments.gateway import gateway
from donations.payments.models import CatalogueEntry
from donations.payments.objects import id_of

FEE_COVER = "fee_cover"
FEE_COVER_NAME = "Cover the fees"


_KNOWN = select(CatalogueEntry.stripe_id).where(CatalogueEntry.key == bindparam("key"))


def _known(key: str) -> str | None:
    return db.session.execute(_KNOWN, {"key": key}).scalar_one_or_none()


def _keep(key: str, make) -> str:
    """The id kept under key, or one made now (the idempotency key makes a retry safe)."""
    known = _known(key)
    if known is not None:
        return known
    made = make(f"catalogue-{key}")
    try:
        with db.session.begin_nested():
            db.session.add(CatalogueEntry(key=key, stripe_id=made))
    except IntegrityError:  # another request kept the same key a moment ago
        return _known(key)
    return made


def fund_product(fund: Fund) -> str:
    return _keep(
        f"fund:{fund.slug}",
        lambda key: gateway().create_product(
            {"name": fund.name, "metadata": {"fund": fund.slug}}, idempotency_key=key
        ),
    )


def fee_cover_product_for_checkout() -> str:
    return _keep(
        FEE_COVER,
        lambda key: gateway().create_product(
            {"name": FEE_COVER_NAME, "metadata": {"kind": FEE_COVER}}, idempotency_key=key
        ),
    )


#: where each process keeps the fee cover's Product once the database has given it
_FEE_COVER_KEPT = "fee_cover_product"


def fee_cover_product() -> str | None:
    """The fee cover's Product, if one was ever made (to tell its lines from the gift's).

    Every monthly invoice asks; once made, the Product is never changed or removed, so each
    process keeps it after the database first gives it."""
    kept = current_app.extensions.get(_FEE_COVER_KEPT)
    if kept is None:
        kept = _known(FEE_COVER)
        if kept is not None:
            current_app.extensions[_FEE_COVER_KEPT] = kept
    return kept


def customer_key(email: str) -> str:
    """A donor's Customer is kept under a keyed digest of the address, never the address:
    the key is also the idempotency key Stripe keeps."""
    return "customer:" + keyed.digest(email.strip().lower(), size=16)


def customer_for(email: str) -> str:
    """The donor's Customer, by e-mail alone: a name typed on an unpaid form is nobody's word
    for who owns the address, so it is not given to Stripe here."""
    return _keep(
        customer_key(email),
        lambda key: gateway().create_customer({"email": email.lower()}, idempotency_key=key),
    )


def product_of_line(line: dict) -> str | None:
    """The Product an invoice line is for (pricing.price_details, or the older price)."""
    pricing = (line.get("pricing") or {}).get("price_details") or {}
    return id_of(pricing.get("product")) or id_of((line.get("price") or {}).get("product"))
