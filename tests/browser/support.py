"""What the browser tests share: axe-core, a page's width, and moving through a page by
keyboard."""

import re
from pathlib import Path

from tests.support import STAFF_PASSWORD

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def overflow(page) -> int:
    """How far the page runs past the side of the window, in pixels (0: not at all), once it
    has loaded: a page reached by a click may be on screen before its stylesheet."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_22_AA,
    )
    assert results["passes"], "axe-core ran no checks: the page or the script is not as expected"
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results["violations"]
    ]


def type_by_keyboard(page, fields: dict[str, str]) -> None:
    """Tab to each field in turn and type into it."""
    for selector, text in fields.items():
        tab_to(page, selector)
        page.keyboard.type(text)


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching selector has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def sign_in_by_keyboard(page, live_server, email: str, lands_on: str = "/finance/") -> None:
    """Sign in to the finance area as staff would, typing and pressing Enter."""
    page.goto(f"{live_server}/finance/")
    page.wait_for_url("**/finance/login**")
    type_by_keyboard(page, {"#email": email, "#password": STAFF_PASSWORD})
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}{lands_on}")


def follow_by_keyboard(page, selector: str) -> None:
    """Tab to a link and press Enter, then wait for where it goes."""
    tab_to(page, selector)
    href = page.get_attribute(selector, "href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{href}")


def axe_violations_without_javascript(page, browser) -> list[dict]:
    """axe-core needs a script to run: check what a page without JavaScript shows (its HTML,
    scripts left out, on the same site so its styles apply) in a context that runs one."""
    html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S)
    context = browser.new_context(
        viewport=page.viewport_size, bypass_csp=True, java_script_enabled=True
    )
    try:
        checker = context.new_page()
        checker.goto(page.url.split("?", 1)[0].rsplit("/", 1)[0] + "/")
        checker.set_content(html)
        return axe_violations(checker)
    finally:
        context.close()


def give_through_the_page(page, amount: str | None, donor: tuple[str, str, str]) -> None:
    """On a donation form already open: choose a tile (or keep the one chosen), type who
    gives, pay with the sandbox's card that succeeds, and wait for the thank-you page."""
    first_name, last_name, email = donor
    if amount is not None:
        page.check(f"input[name=amount][value='{amount}']")
    page.fill("#first_name", first_name)
    page.fill("#last_name", last_name)
    page.fill("#email", email)
    page.click("button[type=submit]")
    page.wait_for_url("**/sandbox/checkout/**")
    page.fill("#card_number", "4242 4242 4242 4242")
    page.fill("#expiry", "12 / 30")
    page.fill("#cvc", "123")
    page.click("button[type=submit]")
    page.wait_for_url("**/donate/thanks**")
