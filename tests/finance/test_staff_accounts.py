"""Staff accounts: a new password, or an account closed and reopened, ends every session the
account had; the last admin stays; each change is in the audit log under the account."""

import sys
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from donations.config import from_environment
from donations.extensions import db
from donations.staff import accounts
from donations.staff.accounts import StaffError
from donations.staff.models import AuditEntry
from donations.staff.roles import Permission, may
from tests import factories
from tests.support import sign_in, staff_post

NEW_PASSWORD = "copper kettle whistles at dawn"


def audit_subjects(action: str) -> list[str]:
    return list(
        db.session.execute(select(AuditEntry.subject).where(AuditEntry.action == action)).scalars()
    )


def test_a_new_password_ends_the_old_sessions_and_is_audited(app, client):
    member = factories.staff("finance")
    sign_in(client, "finance@example.org")
    assert client.get("/finance/").status_code == 200
    accounts.set_password(member, NEW_PASSWORD)
    db.session.commit()
    assert client.get("/finance/").status_code == 303, "the session made before it is over"
    assert audit_subjects("password_changed") == ["finance@example.org"]
    assert accounts.authenticate("finance@example.org", NEW_PASSWORD) == member


def test_a_password_made_of_the_accounts_own_address_is_refused(app):
    member = factories.staff("finance", "margaret.hamilton@example.org")
    with pytest.raises(StaffError, match="harder to guess"):
        accounts.set_password(member, "margaret.hamilton@example.org")


def test_an_account_closed_and_reopened_keeps_none_of_its_old_sessions(app, client):
    factories.staff("admin")
    member = factories.staff("finance")
    sign_in(client, "finance@example.org")
    accounts.set_active(member, False)
    accounts.set_active(member, True)
    db.session.commit()
    assert client.get("/finance/").status_code == 303
    assert audit_subjects("account_closed") == ["finance@example.org"]
    assert audit_subjects("account_reopened") == ["finance@example.org"]


def test_the_last_open_admin_account_cannot_be_closed(app):
    admin = factories.staff("admin")
    factories.staff("finance")
    closed = factories.staff("admin", "former@example.org")
    accounts.set_active(closed, False)
    db.session.commit()
    with pytest.raises(StaffError, match=r"^the last admin's account cannot be closed$"):
        accounts.set_active(admin, False)
    second = factories.staff("admin", "second@example.org")
    accounts.set_active(admin, False)
    assert not admin.active
    assert second.active


def test_a_password_piped_from_windows_keeps_no_line_ending(app, runner):
    created = runner.invoke(
        args=["staff", "create", "piped@example.org", "--role", "viewer"],
        input=NEW_PASSWORD + "\r\n",
    )
    assert created.exit_code == 0, created.output
    assert accounts.authenticate("piped@example.org", NEW_PASSWORD) is not None


def test_the_export_commands_filters_are_explained(app, runner):
    helped = runner.invoke(args=["exports", "donations", "--help"]).output
    for words in ("--fund", "A fund's slug.", "--gift-aid", "yes or no.", "--q"):
        assert words in helped


def test_the_staff_page_lists_every_account_with_its_role_to_change(app, client):
    factories.staff("admin")
    factories.staff("viewer")
    sign_in(client, "admin@example.org")
    page = client.get("/finance/staff").get_data(as_text=True)
    for email in ("admin@example.org", "viewer@example.org"):
        assert email in page
    for role in ("admin", "finance", "viewer", "editor"):
        assert f'value="{role}"' in page
    assert 'name="csrf_token"' in page


def test_the_last_admin_keeps_the_role(app):
    admin = factories.staff("admin")
    with pytest.raises(StaffError, match=r"^the last admin cannot stop being one$"):
        accounts.set_role(admin, "finance")


def test_at_a_terminal_the_password_is_asked_twice_and_never_shown(app, runner, monkeypatch):
    # the package's `cli` is the commands' blueprint; the module is in sys.modules
    commands = sys.modules["donations.staff.cli"]
    monkeypatch.setattr(
        commands, "sys", SimpleNamespace(stdin=SimpleNamespace(isatty=lambda: True))
    )
    created = runner.invoke(
        args=["staff", "create", "typed@example.org", "--role", "viewer"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert created.exit_code == 0, created.output
    assert "Password: " in created.output
    assert "Repeat for confirmation: " in created.output
    assert NEW_PASSWORD not in created.output
    assert accounts.authenticate("typed@example.org", NEW_PASSWORD) is not None


def test_outside_the_tests_a_password_is_kept_only_as_its_scrypt_hash(make_app):
    """Production hashes with scrypt, and no environment variable changes that (the suite
    alone chooses a quicker method, in its own configuration)."""
    method = from_environment({"PASSWORD_HASH_METHOD": "plain"})["PASSWORD_HASH_METHOD"]
    assert method == "scrypt"
    app = make_app(PASSWORD_HASH_METHOD=method)
    with app.app_context():
        member = accounts.create("keeper@example.org", NEW_PASSWORD, "viewer")
        db.session.commit()
        assert member.password_hash.startswith("scrypt:")
        assert NEW_PASSWORD not in member.password_hash
        assert accounts.authenticate("keeper@example.org", NEW_PASSWORD) == member
        assert accounts.authenticate("keeper@example.org", NEW_PASSWORD + "!") is None


def test_a_piped_password_keeps_its_own_spaces_and_letters_to_the_end(app, runner):
    for email, password in (
        ("spaced@example.org", NEW_PASSWORD + "  "),
        ("lettered@example.org", "copper kettle whistles at dawn X"),
    ):
        created = runner.invoke(
            args=["staff", "create", email, "--role", "viewer"], input=password + "\n"
        )
        assert created.exit_code == 0, created.output
        assert accounts.authenticate(email, password) is not None, password


def test_everyone_is_listed_by_e_mail_address(app):
    for email in ("zoe@example.org", "adam@example.org", "mia@example.org"):
        factories.staff("viewer", email)
    assert [member.email for member in accounts.everyone()] == [
        "adam@example.org",
        "mia@example.org",
        "zoe@example.org",
    ]


def test_a_role_the_site_does_not_know_may_do_nothing(app):
    assert not any(may("treasurer", permission) for permission in Permission)
    assert may("viewer", Permission.VIEW_RECORDS)


@pytest.mark.parametrize(
    ("password", "said"),
    [
        ("short words", "A password needs at least 12 characters."),
        ("w" * 257, "A password may have at most 256 characters."),
        ("copper kettle\x07whistles", "A password may not hold control characters."),
        (" " * 12, "A password needs more than spaces."),
    ],
)
def test_a_password_that_cannot_be_is_refused_in_its_own_words(app, password, said):
    with pytest.raises(StaffError) as refused:
        accounts.check_password(password)
    assert str(refused.value) == said


def test_a_password_of_the_longest_length_is_judged_not_refused_for_it(app):
    long_enough = ("copper kettle whistles at dawn " * 9)[:256]
    assert accounts.check_password(long_enough) == long_enough


def test_a_password_made_of_the_accounts_own_name_is_refused(app):
    """Only the address's name part makes it guessable: alone it would pass as random."""
    with pytest.raises(StaffError, match="harder to guess"):
        accounts.create("okonkwovale@example.org", "okonkwovale2026", "viewer")
    assert accounts.by_email("okonkwovale@example.org") is None


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password1234", "This is a very common password."),  # zxcvbn's own warning
        ("charity12345", "It would be easy to guess."),  # zxcvbn gives none: ours
    ],
)
def test_an_easily_guessed_password_is_refused_saying_why(app, password, why):
    with pytest.raises(StaffError) as refused:
        accounts.check_password(password, "finance@example.org")
    assert str(refused.value) == (
        f"Choose a password that is harder to guess. {why} A few unrelated words make a strong one."
    )


def test_a_password_zxcvbn_scores_three_of_four_is_strong_enough(app):
    assert accounts.check_password("kettle 12345", "finance@example.org") == "kettle 12345"


def test_a_role_the_site_does_not_have_is_refused_naming_those_it_has(app):
    """The pages and commands offer only the site's roles; the service still refuses others."""
    member = factories.staff("finance")
    for attempt in (
        lambda: accounts.create("new@example.org", NEW_PASSWORD, "owner"),
        lambda: accounts.set_role(member, "owner"),
    ):
        with pytest.raises(StaffError) as refused:
            attempt()
        assert str(refused.value) == "the role must be one of admin, finance, viewer, editor"
    assert member.role == "finance"


def test_an_address_that_is_not_one_is_refused_naming_it(app):
    with pytest.raises(StaffError) as refused:
        accounts.create("not an address", "viewer", NEW_PASSWORD)
    assert str(refused.value) == "'not an address' is not an e-mail address"


def test_a_long_passphrase_is_judged_by_its_start_and_never_breaks_the_page(app, client):
    weak_start = "a" * 80 + " copper kettle whistles"
    with pytest.raises(StaffError, match="harder to guess"):
        accounts.check_password(weak_start)
    factories.staff("admin")
    sign_in(client, "admin@example.org")
    passphrase = "copper kettle whistles at dawn while the tide goes out over the long grey sands"
    assert len(passphrase) > 72
    made = staff_post(
        client,
        "/finance/staff",
        {"email": "long@example.org", "role": "viewer", "password": passphrase},
        page="/finance/staff",
    )
    assert made.status_code == 303, made.get_data(as_text=True)[-500:]
    assert accounts.authenticate("long@example.org", passphrase) is not None
