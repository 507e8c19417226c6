from flask import render_template

from donations.finance.guard import bp, requires
from donations.staff.roles import Permission


@bp.get("/")
@requires(Permission.VIEW_RECORDS)
def dashboard():
    return render_template("finance/dashboard.html")
