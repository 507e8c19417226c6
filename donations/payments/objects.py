"""Reading Stripe's objects as they arrive: related objects come as an id, or expanded."""


def id_of(value) -> str | None:
    """Stripe sends a related object as its id, or expanded as an object with one."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and 0 < len(value) <= 255 else None


#: what in a Stripe object names, reaches or locates a person
PERSONAL_KEYS = frozenset(
    {
        "account_holder_name",
        "address",
        "address_city",
        "address_line1",
        "address_line2",
        "address_state",
        "address_zip",
        "billing_address",
        "billing_details",
        "client_ip",
        "customer_address",
        "customer_details",
        "customer_email",
        "customer_email_address",
        "customer_name",
        "customer_phone",
        "customer_purchase_ip",
        "customer_shipping",
        "customer_tax_ids",
        "email",
        "first_name",
        "individual_name",
        "ip",
        "ip_address",
        "last_name",
        "name",
        "phone",
        "phone_number",
        "receipt_email",
        "sender_name",
        "shipping",
        "shipping_address",
        "shipping_details",
        "tax_ids",
        "user_agent",
        "verified_address",
        "verified_email",
        "verified_name",
        "verified_phone",
    }
)


def without_personal_data(value):
    """A copy of a Stripe object (or event) with every personal field emptied: what a
    payment record needs of it is ids, amounts, statuses and our own metadata."""
    # every webhook scrubs a whole event: most values are neither a dict nor a list, and are
    # kept without a call
    if isinstance(value, dict):
        return {
            key: None
            if key in PERSONAL_KEYS
            else without_personal_data(item)
            if isinstance(item, dict | list)
            else item
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            without_personal_data(item) if isinstance(item, dict | list) else item for item in value
        ]
    return value


def outline(event: dict) -> dict:
    """What is kept of an event that is not ours: enough to say what it was, nothing more."""
    obj = event["data"]["object"]
    return {
        "id": event["id"],
        "type": event["type"],
        "created": event.get("created"),
        "data": {"object": {"id": obj.get("id"), "object": obj.get("object")}},
    }
