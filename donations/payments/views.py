from flask import Blueprint, jsonify, request

from donations.extensions import csrf
from donations.payments.webhooks import receive
from donations.transaction import commit, rollback

bp = Blueprint("payments", __name__)


@bp.post("/stripe/webhook")
@csrf.exempt
def webhook():
    answer = receive(request.get_data(), request.headers.get("Stripe-Signature"))
    if answer.status == 200:
        commit()
    else:
        rollback()
    return jsonify(answer.body), answer.status
