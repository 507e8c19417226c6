"""Opening a Checkout Session for a donation, and asking after one no webhook has told of."""

from donations.gifts import plans
from donations.gifts.models import Donation
from donations.gifts.outcome import Outcome
from donations.payments import catalogue
from donations.payments.gateway import GatewayError, gateway
from donations.payments.sessions import apply_checkout_session
from donations.web import absolute_url


def _line(product: str, amount_pence: int, interval: str | None) -> dict:
    price_data = {"currency": "gbp", "unit_amount": amount_pence, "product": product}
    if interval:
        price_data["recurring"] = {"interval": interval}
    return {"price_data": price_data, "quantity": 1}


def checkout_params(donation: Donation) -> dict:
    """What Stripe is asked for: the gift (and fee cover) as lines of the catalogue's own
    Products, the donor's Customer, and the donation's reference wherever Stripe keeps it."""
    fund = donation.fund
    interval = donation.interval
    metadata = {"donation_reference": donation.reference, "fund": fund.slug}
    description = f"{donation.kind_of_gift.capitalize()} to the {fund.name}"
    items = [_line(catalogue.fund_product(fund), donation.amount_pence, interval)]
    if donation.fee_cover_pence:
        cover = catalogue.fee_cover_product_for_checkout()
        items.append(_line(cover, donation.fee_cover_pence, interval))
    success = absolute_url("giving.thanks")
    params = {
        "mode": "subscription" if interval else "payment",
        "line_items": items,
        "client_reference_id": donation.reference,
        "customer": catalogue.customer_for(donation.email),
        "metadata": metadata,
        "locale": "en-GB",
        "success_url": success + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": absolute_url("giving.donate", slug=fund.slug, cancelled=1),
    }
    if interval:
        params["subscription_data"] = {"metadata": metadata, "description": description}
    else:
        params["submit_type"] = "donate"
        params["payment_intent_data"] = {"metadata": metadata, "description": description}
    return params


def open_checkout(donation: Donation) -> str:
    """Create (or, for the same donation, find again) its Checkout Session; return its URL."""
    if donation.checkout_url:
        return donation.checkout_url
    session = gateway().create_checkout_session(
        checkout_params(donation), idempotency_key=f"checkout-{donation.reference}"
    )
    donation.checkout_session_id = session.id
    donation.checkout_url = session.url
    return session.url


def confirm_with_gateway(donation: Donation) -> Outcome:
    """Ask the gateway how the donation's checkout stands and apply it, as a webhook would.

    So "pending" on the thank-you page means money not yet collected, not a slow webhook.
    """
    return apply_checkout_session(gateway().retrieve_checkout_session(donation.checkout_session_id))


def open_portal(donation: Donation, return_to: str) -> str:
    """A short-lived customer-portal page where the donor manages their monthly gifts."""
    plan = plans.plan_of(donation)
    customer = (plan.customer_id if plan else None) or donation.customer_id
    if customer is None:
        raise GatewayError("This monthly gift has no customer at the payment provider yet.")
    return gateway().create_portal_session(customer, return_to)
