"""Reading Stripe's objects as they arrive: related objects come as an id, or expanded."""


def id_of(value) -> str | None:
    """Stripe sends a related object as its id, or expanded as an object with one."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and 0 < len(value) <= 255 else None
