"""Who may reach what in the finance area: a stranger nothing, each role its own part."""

import re
import time

import pytest
from sqlalchemy import select

from donations.extensions import db, limiter
from donations.finance.guard import SEEN_KEY, SIGNED_IN_KEY, safe_next
from donations.staff import accounts, audit
from donations.staff.models import AuditEntry
from tests import factories
from tests.support import STAFF_PASSWORD, csrf_token, hidden_value, says, sign_in, staff_post


def finance_rules(app):
    """Every route under /finance/ with a made-up value for each part of its path."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/finance"):
            continue
        path = re.sub(r"<any\(([a-z-]+)[^>]*>", r"\1", rule.rule)  # its first choice
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", "D-AAAAAAAAAA")
            path = path.replace(f"<id:{argument}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path, rule.endpoint


def test_a_stranger_is_sent_to_sign_in_from_every_finance_route(app, client):
    token = csrf_token(client)  # a stranger can have a token of their own: it opens nothing
    walked = set()
    for method, path, endpoint in finance_rules(app):
        if endpoint == "finance.login":
            continue
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 303, (method, path)
        assert response.headers["Location"].startswith("/finance/login"), (method, path)
        walked.add(endpoint)
    assert walked == {endpoint for _, _, endpoint in finance_rules(app)} - {"finance.login"}
    assert len(walked) >= 20, "the walk found every route of the finance area"


def test_every_finance_view_names_who_may_use_it(app):
    """A route without a permission would be refused to everyone; none is left like that."""
    for _, _, endpoint in finance_rules(app):
        if endpoint == "finance.login":
            continue
        assert getattr(app.view_functions[endpoint], "permission", None) is not None, endpoint


def test_signing_in_opens_the_dashboard_and_is_audited(app, client):
    factories.staff("finance")
    response = sign_in(client, "Finance@Example.org")
    assert response.status_code == 303
    assert response.headers["Location"] == "/finance/"
    page = client.get("/finance/")
    assert page.status_code == 200
    assert "finance@example.org" in page.get_data(as_text=True)
    entry = db.session.execute(select(AuditEntry)).scalars().all()[-1]
    assert (entry.action, entry.actor) == ("sign_in", "finance@example.org")


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(app, client):
    factories.staff("finance")
    wrong = sign_in(client, "finance@example.org", "not the password at all")
    unknown = sign_in(client, "nobody@example.org", "not the password at all")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "The e-mail address or password is not right." in response.get_data(as_text=True)
    assert client.get("/finance/").status_code == 303


def test_the_sixth_wrong_password_in_a_minute_is_refused_and_every_try_is_logged(app, client):
    factories.staff("finance")
    answers = [
        sign_in(client, "finance@example.org", f"wrong password {n}").status_code for n in range(6)
    ]
    assert answers == [401] * 5 + [429]
    refused = sign_in(client, "finance@example.org")  # even the right password, for now
    assert refused.status_code == 429
    assert "Too many tries to sign in to this account" in refused.get_data(as_text=True)
    actions = [
        (e.action, e.actor)
        for e in db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
        if e.action.startswith("sign_in")
    ]
    assert (
        actions
        == [("sign_in_failed", "finance@example.org")] * 5
        + [("sign_in_refused", "finance@example.org")] * 2
    )


def sign_in_from(client, address: str, email: str, password: str = STAFF_PASSWORD):
    """A sign-in from one client address (the page and its token fetched from there too)."""
    here = {"REMOTE_ADDR": address}
    page = client.get("/finance/login", environ_base=here).get_data(as_text=True)
    token = hidden_value(page, "csrf_token")
    return client.post(
        "/finance/login",
        data={"csrf_token": token, "email": email, "password": password},
        environ_base=here,
    )


def test_a_strangers_wrong_passwords_never_lock_the_owner_out(app, client):
    factories.staff("finance")
    stranger, owner = app.test_client(), app.test_client()
    answers = [
        sign_in_from(stranger, "203.0.113.7", "finance@example.org", f"guess {n}").status_code
        for n in range(6)
    ]
    assert answers == [401] * 5 + [429]
    assert sign_in_from(owner, "198.51.100.20", "finance@example.org").status_code == 303


def test_past_the_account_wide_limit_only_an_address_known_to_the_account_may_try(app, client):
    app.config["SIGN_IN_LIMIT_PER_ACCOUNT_EVERYWHERE"] = "8 per hour"
    factories.staff("finance")
    factories.staff("viewer")
    owner = app.test_client()
    assert sign_in_from(owner, "198.51.100.20", "finance@example.org").status_code == 303
    # the newcomer's address is known, but only for another account and a wrong guess
    assert sign_in_from(app.test_client(), "192.0.2.1", "viewer@example.org").status_code == 303
    guess = sign_in_from(app.test_client(), "192.0.2.1", "finance@example.org", "x")
    assert guess.status_code == 401
    for n in range(7):  # a botnet: every other guess from a new address
        guess = sign_in_from(app.test_client(), f"203.0.113.{n}", "finance@example.org", "x")
        assert guess.status_code == 401
    newcomer = sign_in_from(app.test_client(), "192.0.2.1", "finance@example.org")
    assert newcomer.status_code == 429, "even the right password, from an address never used"
    again = sign_in_from(app.test_client(), "198.51.100.20", "finance@example.org")
    assert again.status_code == 303, "the owner's own address still signs in"


def test_signing_in_again_and_again_is_never_counted_as_wrong(app, client):
    factories.staff("finance")
    for _ in range(8):
        assert sign_in(client, "finance@example.org").status_code == 303
        staff_post(client, "/finance/logout")


def test_wrong_passwords_for_one_account_do_not_lock_out_another(app, client):
    factories.staff("finance")
    factories.staff("viewer")
    for n in range(5):
        sign_in(client, "finance@example.org", f"wrong password {n}")
    assert sign_in(client, "viewer@example.org").status_code == 303


def test_a_session_ends_after_half_an_hour_without_activity(app, client):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    with client.session_transaction() as session:
        session[SEEN_KEY] = time.time() - 31 * 60
    response = client.get("/finance/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/finance/login?expired=1"
    with client.session_transaction() as kept:
        assert not {SEEN_KEY, SIGNED_IN_KEY} & set(kept), "the cookie keeps no sign-in times"
    shown = client.get("/finance/login?expired=1")
    assert shown.status_code == 200
    assert says(
        shown.get_data(as_text=True),
        "You were signed out after a while without activity. Please sign in again.",
    )
    assert client.get("/finance/").status_code == 303, "and stays ended"


def test_signing_out_ends_the_session(app, client):
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    with client.session_transaction() as kept:
        assert {SEEN_KEY, SIGNED_IN_KEY} <= set(kept)
    response = staff_post(client, "/finance/logout")
    assert response.status_code == 303
    with client.session_transaction() as kept:
        assert not {SEEN_KEY, SIGNED_IN_KEY} & set(kept), "the cookie keeps no sign-in times"
    assert says(
        client.get(response.headers["Location"]).get_data(as_text=True), "You have signed out."
    )
    assert client.get("/finance/").status_code == 303


def test_a_session_cookie_copied_before_signing_out_opens_nothing_after(app, client):
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    copied = client.get_cookie("session").value
    staff_post(client, "/finance/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/finance/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/finance/login")


def test_a_changed_role_or_password_ends_every_session_of_the_old_one(app, client):
    member = factories.staff("finance")
    sign_in(client, "finance@example.org")
    accounts.set_role(member, "viewer")
    db.session.commit()
    assert client.get("/finance/").status_code == 303


def test_a_closed_account_cannot_sign_in(app, client):
    factories.staff("admin")
    member = factories.staff("finance")
    accounts.set_active(member, False)
    db.session.commit()
    assert sign_in(client, "finance@example.org").status_code == 401


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "/donate"]
)
def test_after_signing_in_the_next_page_is_only_ever_in_the_finance_area(app, client, target):
    factories.staff("finance")
    token = csrf_token(client)
    response = client.post(
        "/finance/login",
        query_string={"next": target},
        data={"csrf_token": token, "email": "finance@example.org", "password": STAFF_PASSWORD},
    )
    assert response.headers["Location"] == "/finance/"


@pytest.mark.parametrize("target", ["/finance/\r\nSet-Cookie: x=1", "/finance/\n", "/finance/\x00"])
def test_a_next_page_holding_control_characters_goes_to_the_dashboard(app, client, target):
    factories.staff("finance")
    response = client.post(
        "/finance/login",
        query_string={"next": target},
        data={
            "csrf_token": csrf_token(client),
            "email": "finance@example.org",
            "password": STAFF_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/finance/"


def test_an_empty_password_is_named_beside_its_field(app, client):
    response = client.post(
        "/finance/login",
        data={"csrf_token": csrf_token(client), "email": "finance@example.org", "password": ""},
    )
    assert response.status_code == 400
    assert 'id="password-error"' in response.get_data(as_text=True)


def test_the_audit_log_refuses_edits_and_deletes(app):
    entry = audit.record("staff_created", actor="command line", subject="someone@example.org")
    db.session.commit()
    entry.action = "something else"
    with pytest.raises(RuntimeError, match="never edited or deleted"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(RuntimeError, match="never edited or deleted"):
        db.session.flush()


@pytest.mark.parametrize(
    "path",
    [
        "/finance/updates/99999999999",
        "/finance/gift-aid/declarations/99999999999",
        "/finance/donors/2147483648",
        "/finance/offline/letters/99999999999.pdf",
        "/images/99999999999/480.webp",
        "/finance/donors/0",
    ],
)
def test_an_id_no_database_integer_can_hold_is_simply_not_found(app, client, path):
    factories.staff("admin")
    sign_in(client, "admin@example.org")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("kept", "limit"),
    [(SEEN_KEY, 30 * 60), (SIGNED_IN_KEY, 12 * 3600)],
    ids=["half an hour idle", "twelve hours after signing in"],
)
def test_a_session_ends_seconds_past_its_limit_and_not_a_minute_short_of_it(
    app, client, kept, limit
):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    with client.session_transaction() as session:
        session[kept] = time.time() - (limit - 60)
    assert client.get("/finance/").status_code == 200, "a minute short: still signed in"
    with client.session_transaction() as session:
        session[kept] = time.time() - (limit + 5)
    assert client.get("/finance/").headers["Location"] == "/finance/login?expired=1"


def test_signing_out_of_a_session_that_had_already_ended_is_a_plain_sign_out(app, client):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    token = csrf_token(client, "/finance/")
    with client.session_transaction() as session:
        session.pop(SEEN_KEY)
        session.pop(SIGNED_IN_KEY)
    response = client.post("/finance/logout", data={"csrf_token": token})
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("asked", "goes"),
    [
        ("/finance/donations?page=2", "/finance/donations?page=2"),
        ("/finance/" + "a" * (2000 - len("/finance/")), "/finance/" + "a" * 1991),
        ("/finance/" + "a" * (2001 - len("/finance/")), "/finance/"),
        ("/FINANCE/donations", "/finance/"),
        ("/elsewhere", "/finance/"),
        ("/finance/\\\\evil.example", "/finance/"),
        ("/finance//evil.example", "/finance/"),
        ("/finance/a\tb", "/finance/"),
        (None, "/finance/"),
    ],
)
def test_after_signing_in_only_a_page_of_the_finance_area_is_gone_to(app, asked, goes):
    with app.test_request_context():
        assert safe_next(asked) == goes


@pytest.mark.parametrize(
    "path", ["/finance/staff", "/finance/erasure", "/finance/offline/letters", "/finance/audit"]
)
def test_an_admins_own_pages_open_as_plain_pages(app, client, path):
    factories.staff("admin")
    sign_in(client, "admin@example.org")
    assert client.get(path).status_code == 200


def test_the_staff_page_offers_each_other_role_to_each_account_with_its_token(app, client):
    factories.staff("admin")
    factories.staff("viewer")
    sign_in(client, "admin@example.org")
    page = client.get("/finance/staff").get_data(as_text=True)
    row = re.search(r"viewer@example.org.*?</form>", page, re.S)[0]
    assert 'name="csrf_token"' in row
    for role in ("admin", "finance", "editor"):
        assert f'value="{role}" class="button button--secondary">Make {role}</button>' in row


def test_past_the_account_wide_limit_an_unknown_account_is_answered_as_a_real_one(app, client):
    """Else the answers would tell a guesser which addresses have accounts."""
    app.config["SIGN_IN_LIMIT_PER_ACCOUNT_EVERYWHERE"] = "3 per hour"
    factories.staff("finance")
    for email in ("finance@example.org", "nobody@example.org"):
        for n in range(3):
            guess = sign_in_from(app.test_client(), f"203.0.113.{n}", email, "x")
            assert guess.status_code == 401
        fourth = sign_in_from(app.test_client(), "203.0.113.9", email, "x")
        assert fourth.status_code == 429, email


def test_a_sign_in_without_its_e_mail_field_is_refused_in_words(app, client):
    token = csrf_token(client, "/finance/login")
    refused = client.post("/finance/login", data={"csrf_token": token, "password": "x"})
    assert refused.status_code == 400
    assert "Enter your e-mail address." in refused.get_data(as_text=True)


def test_past_the_address_limit_a_try_without_an_e_mail_is_refused_and_logged_as_none(app, client):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "2 per minute"
    token = csrf_token(client, "/finance/login")
    answers = [
        client.post("/finance/login", data={"csrf_token": token, "password": "x"}).status_code
        for _ in range(3)
    ]
    assert answers == [400, 400, 429]
    refused = db.session.execute(
        select(AuditEntry.actor).where(AuditEntry.action == "sign_in_refused")
    ).scalars()
    assert list(refused) == ["(none)"]


def test_when_the_account_wide_count_cannot_be_read_staff_still_sign_in(
    app, client, monkeypatch, caplog
):
    """A broken Redis must not keep staff out; each address is still limited."""
    store = limiter.limiter
    test = store.test

    def unreadable(item, *keys, **kwargs):
        if "everywhere" in keys:
            raise ConnectionError("the limits' store went away")
        return test(item, *keys, **kwargs)

    monkeypatch.setattr(store, "test", unreadable)
    factories.staff("finance")
    assert sign_in_from(client, "203.0.113.7", "finance@example.org").status_code == 303
    assert "the account-wide limit is not checked" in caplog.text
