"""Which function handles which event type: each family module registers its own."""

from collections.abc import Callable

from donations.gifts.outcome import Outcome

Handler = Callable[[dict], Outcome]

HANDLERS: dict[str, Handler] = {}


def handles(*event_types: str) -> Callable[[Handler], Handler]:
    """Register the decorated function for these Stripe event types (one handler each)."""

    def register(handler: Handler) -> Handler:
        for event_type in event_types:
            if event_type in HANDLERS:
                raise ValueError(f"{event_type} already has a handler")
            HANDLERS[event_type] = handler
        return handler

    return register
