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
    figures = page.locator("donation-progress p").nth(1).inner_text()
    assert figures == "£25.00 raised of £250,000 (0.01%) + £0.00 Gift Aid, from 1 donor"
    link = page.locator("donation-progress a")
    assert link.get_attribute("href") == f"{live_server}/donate/actimus"

    frame = page.frame_locator("iframe")
    bar = frame.locator("[role=progressbar]")
    assert bar.get_attribute("aria-valuetext") == "£25.00 raised of £250,000 (0.01%)"
    assert frame.locator("a.embed__donate").get_attribute("target") == "_blank"


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
