"""The progress bar embedded on someone else's page, in a real browser."""

import pytest

from tests import factories
from tests.browser.support import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def partner_site(live_server, serve_partner_page):
    """A blog on another origin that pastes in the frame and the web component."""
    return serve_partner_page(f"""<!doctype html><html lang="en">
<head><title>A partner's blog</title></head><body><main><h1>Our walk for MS research</h1>
<iframe src="{live_server}/embed/funds/actimus" title="ACTiMuS trial progress"
        width="100%" height="150"></iframe>
<script src="{live_server}/embed.js" defer></script>
<donation-progress fund="actimus"></donation-progress>
</main></body></html>""")


def test_the_frame_and_the_component_render_on_another_origin(
    app, client, live_server, partner_site, page
):
    factories.payment(amount_pence=2500)
    page.goto(partner_site)
    component = page.locator("donation-progress [role=progressbar]")
    component.wait_for()
    assert component.get_attribute("aria-valuetext") == "£25.00 raised of £250,000 (0.01%)"
    figures = page.locator("donation-progress p.p").inner_text()
    assert figures == "£25.00 raised of £250,000 (0.01%) + £0.00 Gift Aid, from 1 donor"
    link = page.locator("donation-progress a")
    assert link.get_attribute("href") == f"{live_server}/donate/actimus"

    frame = page.frame_locator("iframe")
    bar = frame.locator("[role=progressbar]")
    assert bar.get_attribute("aria-valuetext") == "£25.00 raised of £250,000 (0.01%)"
    assert frame.locator("a.embed__donate").get_attribute("target") == "_blank"


def test_each_embed_names_its_fund_on_its_button_and_says_it_is_a_test(
    app, live_server, partner_site, page
):
    """A screen-reader user listing the links of a page with two bars can tell them apart."""
    page.goto(partner_site)
    link = page.locator("donation-progress a")
    link.wait_for()
    frame_link = page.frame_locator("iframe").locator("a.embed__donate")
    for each in (link, frame_link):
        assert each.text_content() == "Give to the ACTiMuS trial (opens in a new tab)"
        aside = each.locator("span").bounding_box()
        assert aside["width"] <= 1, "'opens in a new tab' is for screen readers only"
    assert page.locator("donation-progress p.m").inner_text() == "Test mode", "as the frame says"
    assert page.frame_locator("iframe").locator(".test-mark").inner_text() == "Test mode"


def test_the_image_figures_are_legible_at_its_default_width(app, live_server, page):
    factories.payment(amount_pence=123_456_78)
    page.goto(f"{live_server}/funds/actimus/progress.svg")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('text, tspan')].map(
            (t) => [t.textContent.trim().slice(0, 20), parseFloat(getComputedStyle(t).fontSize),
                    t.getBoundingClientRect().right])"""
    )
    width = page.evaluate("document.documentElement.getBoundingClientRect().width")
    assert width == 400
    assert sizes, "the image has text"
    for text, size, right in sizes:
        assert size >= 14, f"{text!r} is {size}px"
        assert right <= width, f"{text!r} runs past the image's edge"


def test_the_frame_updates_itself_without_a_reload(app, client, live_server, page):
    page.clock.install()
    page.goto(f"{live_server}/embed/funds/actimus")
    assert page.inner_text("[data-field=raised]") == "£0.00"
    factories.payment(amount_pence=1000)
    page.clock.run_for(31_000)
    page.wait_for_function("document.querySelector('[data-field=raised]').textContent === '£10.00'")
    bar = page.locator("[role=progressbar]")
    assert bar.get_attribute("aria-valuetext") == "£10.00 raised of £250,000 (0%)"


@pytest.mark.parametrize(
    "path", ["/", "/funds/actimus", "/funds/actimus/embed", "/embed/funds/actimus"]
)
def test_progress_pages_have_no_wcag_violations(client, live_server, page, path):
    factories.payment(amount_pence=1000, display_name="Friends of ACTiMuS")
    page.goto(live_server + path)
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
