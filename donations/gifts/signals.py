"""What the gift domain announces, for features above it to act on (receipts, audit)."""

from blinker import Namespace

_signals = Namespace()

#: sent as gift_paid.send(donation, entry=ledger_entry) once a payment is in the ledger,
#: inside the transaction that recorded it
gift_paid = _signals.signal("gift-paid")
