"""The staff forms for funds, appeals and supporters' pages, as staff read them: an edit
form holds what is there now, every refusal says what to do beside its field, and a page's
state is said in words."""

import html as html_module
import re

import pytest

from donations.extensions import db
from donations.funds import services as funds
from donations.transaction import commit
from tests import factories
from tests.support import csrf_token, says, sign_in, staff_post


@pytest.fixture
def editor(client):
    factories.staff("editor")
    sign_in(client, "editor@example.org")
    return client


def field_value(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return html_module.unescape(found.group(1)) if found else None


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>([^<]*)</textarea>', html)
    return html_module.unescape(found.group(1))


def test_a_funds_edit_form_holds_what_the_page_says_now(editor):
    fund = factories.fund("actimus")
    funds.change(fund, goal_pence=12_345_600, gift_buys="Cells, grown.", source="The MS Trust")
    commit()
    html = editor.get("/finance/funds/actimus").get_data(as_text=True)
    assert field_value(html, "name") == "ACTiMuS trial"
    assert field_value(html, "goal") == "123,456.00", "pounds as staff type them, no £"
    assert field_value(html, "summary") == fund.summary
    assert field_value(html, "source") == "The MS Trust"
    assert textarea(html, "gift_buys") == "Cells, grown."
    assert textarea(html, "story").strip()[:40] == fund.story.strip()[:40]


def test_an_appeals_edit_form_has_its_fund_chosen(editor):
    factories.appeal(fund_slug="stem-cell-audit", closes_on=None)
    html = editor.get("/finance/appeals/winter-appeal").get_data(as_text=True)
    assert re.search(r'value="stem-cell-audit"\s+checked', html)
    assert not re.search(r'value="actimus"\s+checked', html)
    assert field_value(html, "name") == "Winter appeal"
    assert field_value(html, "goal") == "10,000.00"
    labels = re.findall(r'<label class="radio__label" for="fund-\d+">([^<]+)</label>', html)
    assert labels == ["UK MS stem cell service audit", "ACTiMuS trial"], "each fund by its name"


def test_a_story_left_empty_is_asked_for_by_its_name(editor):
    data = {"name": "X", "slug": "x-appeal", "fund": "actimus", "summary": "S", "goal": "10"}
    response = staff_post(editor, "/finance/appeals/new", data, page="/finance/appeals/new")
    assert response.status_code == 400
    assert "Write the story." in response.get_data(as_text=True)


def test_a_state_change_without_the_form_or_a_change_is_refused_in_words(editor):
    expired = editor.post("/finance/funds/actimus/state", data={"change": "close"})
    assert expired.status_code == 400
    assert "The CSRF token is missing." in expired.get_data(as_text=True)
    nothing = staff_post(editor, "/finance/funds/actimus/state", page="/finance/funds")
    assert nothing.status_code == 400
    assert says(nothing.get_data(as_text=True), "Choose a change. Nothing has been changed.")
    assert funds.status_of(factories.fund("actimus")) is funds.Status.OPEN


def test_staff_edit_a_supporters_page_and_each_refusal_is_beside_its_field(editor):
    factories.fundraiser()
    shown = editor.get("/finance/fundraising/ada-runs")
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "Ada Runner's page for the ACTiMuS trial" in html
    assert field_value(html, "name") == "Ada runs London"
    assert field_value(html, "goal") == "500.00"
    assert textarea(html, "story") == "For my mum."
    page = "/finance/fundraising/ada-runs"
    for fields, words in (
        ({"name": "Ada <b>runs</b>"}, "The title"),
        ({"goal": "lots"}, "Enter"),
        ({"goal": "0"}, "more than £0"),
    ):
        data = {"name": "Ada runs London", "story": "For my mum.", "goal": "500", **fields}
        response = staff_post(editor, page, data, page=page)
        assert response.status_code == 400, fields
        body = response.get_data(as_text=True)
        assert words in body, fields
        assert "Error: Ada runs London" in body, "the same page, with the error"
    data = {"name": "Ada runs Paris", "story": "For my dad.", "goal": "750"}
    response = staff_post(editor, page, data, page=page)
    assert response.status_code == 303
    assert response.headers["Location"] == "/finance/fundraising"
    db.session.rollback()
    saved = funds.fundraiser_by_slug("ada-runs")
    assert (saved.name, saved.story, saved.goal_pence) == ("Ada runs Paris", "For my dad.", 75_000)
    listed = editor.get("/finance/fundraising").get_data(as_text=True)
    assert "Ada runs Paris is saved." in listed


def test_each_pages_state_is_said_in_words(editor):
    factories.fundraiser("ada-runs")
    factories.fundraiser("ben-bakes", public=False, email="ben@example.org", name="Ben bakes")
    hidden = factories.fundraiser("cara-swims", email="cara@example.org", name="Cara swims")
    funds.set_hidden(hidden, True)
    commit()
    listed = editor.get("/finance/fundraising").get_data(as_text=True)
    rows = {
        name: re.search(rf"{name}.*?</tr>", listed, re.S).group(0)
        for name in ("Ada runs London", "Ben bakes", "Cara swims")
    }
    assert "public, open" in rows["Ada runs London"]
    assert "waiting for" in rows["Ben bakes"]
    assert ">hidden<" in rows["Cara swims"] or "hidden</td>" in rows["Cara swims"]
    assert csrf_token(editor, "/finance/fundraising")


def test_a_funds_own_texts_are_saved_from_its_form_as_typed(editor):
    html = editor.get("/finance/funds/actimus").get_data(as_text=True)
    sent = {
        "name": "ACTiMuS trial",
        "slug": "actimus",
        "summary": field_value(html, "summary"),
        "story": textarea(html, "story"),
        "goal": "150,000.00",
        "gift_buys": "A week of cell culture.",
        "who": "The Bristol team.",
        "timescale": "Results in 2028.",
        "promise": "Anything past the goal goes to the next stage.",
        "source": "  MS Trust, 2025  ",
        "image_alt": "",
    }
    done = staff_post(editor, "/finance/funds/actimus", sent, page="/finance/funds/actimus")
    assert done.status_code == 303, done.get_data(as_text=True)[-2000:]
    db.session.rollback()
    fund = funds.by_slug("actimus")
    assert (fund.gift_buys, fund.who, fund.timescale, fund.promise) == (
        "A week of cell culture.",
        "The Bristol team.",
        "Results in 2028.",
        "Anything past the goal goes to the next stage.",
    )
    assert fund.source == "MS Trust, 2025"
    assert fund.position == 0, "no order given: first"
    emptied = {**sent, "who": "", "source": ""}
    staff_post(editor, "/finance/funds/actimus", emptied, page="/finance/funds/actimus")
    db.session.rollback()
    fund = funds.by_slug("actimus")
    assert (fund.who, fund.source) == ("", "")


def test_a_supporters_page_title_and_target_are_refused_in_words(editor):
    page = factories.fundraiser()
    path = f"/finance/fundraising/{page.slug}"
    html = editor.get(path).get_data(as_text=True)
    base = {"name": field_value(html, "name"), "story": textarea(html, "story"), "goal": "500"}
    for changes, said in [
        ({"name": "Run\x07ning"}, "The title cannot contain HTML or control characters."),
        ({"goal": "lots"}, "Enter the amount in pounds using numbers only"),
        ({"goal": ""}, "Enter the target in pounds."),
    ]:
        refused = staff_post(editor, path, {**base, **changes}, page=path)
        assert refused.status_code == 400, changes
        assert said in html_module.unescape(refused.get_data(as_text=True)), changes


NEW_APPEAL = {
    "name": "Spring appeal",
    "slug": "spring-appeal",
    "fund": "actimus",
    "summary": "Help in spring.",
    "story": "The trial needs you.",
    "goal": "1,000",
}


def beside(html: str, field: str) -> str | None:
    found = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', html, re.S)
    if found is None:
        return None
    return html_module.unescape(re.sub(r"<[^>]+>", "", found[1])).replace("Error:", "").strip()


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        ({"name": "Spring\x07appeal"}, "name", "Name cannot contain HTML or control characters."),
        (
            {"summary": "Help <b>now</b>"},
            "summary",
            "Summary cannot contain HTML or control characters.",
        ),
        (
            {"story": "The trial\x00 needs you."},
            "story",
            "Story cannot contain control characters.",
        ),
        ({"fund": ""}, "fund", "Choose the fund this appeal raises money for."),
        ({"fund": "no-such-fund"}, "fund", "Choose the fund this appeal raises money for."),
        (
            {"slug": "Spring Appeal!"},
            "slug",
            "Use lower-case letters a to z, digits and single hyphens between words.",
        ),
        ({"slug": ""}, "slug", "Use 3 to 60 characters."),
        ({"goal": ""}, "goal", "Enter the goal in pounds."),
        (
            {"image_alt": "A runner\x1b at the finish"},
            "image_alt",
            "What the image shows cannot contain HTML or control characters.",
        ),
        (
            {"slug": "spring\x07appeal"},
            "slug",
            "Web address cannot contain HTML or control characters.",
        ),
    ],
)
def test_each_appeal_refusal_is_said_beside_its_field_in_its_own_words(
    editor, changes, field, said
):
    refused = staff_post(
        editor, "/finance/appeals/new", {**NEW_APPEAL, **changes}, page="/finance/appeals/new"
    )
    assert refused.status_code == 400
    words = beside(refused.get_data(as_text=True), field)
    assert words is not None, field
    if said is not None:
        assert words == said
    assert funds.appeal_by_slug("spring-appeal") is None


def test_a_tab_in_a_story_is_words_not_a_control_character(editor):
    done = staff_post(
        editor,
        "/finance/appeals/new",
        {**NEW_APPEAL, "story": "Step\tone"},
        page="/finance/appeals/new",
    )
    assert done.status_code == 303


def test_a_bad_web_address_is_said_with_the_forms_other_refusals_at_once(editor):
    refused = staff_post(
        editor,
        "/finance/appeals/new",
        {**NEW_APPEAL, "slug": "Spring Appeal!", "summary": ""},
        page="/finance/appeals/new",
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert beside(html, "summary") == "Write a one-sentence summary."
    assert beside(html, "slug") == (
        "Use lower-case letters a to z, digits and single hyphens between words."
    )


def test_a_supporters_page_left_blank_is_asked_for_its_title_and_target(editor):
    factories.fundraiser()
    page = "/finance/fundraising/ada-runs"
    refused = staff_post(editor, page, {"name": "", "story": "For my mum.", "goal": ""}, page=page)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert [beside(html, "name"), beside(html, "goal")] == [
        "Give the page a title.",
        "Enter the target in pounds.",
    ]
