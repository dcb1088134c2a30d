"""The Content-Security-Policy breaks none of our JavaScript, nor the admin's: real Chromium,
every page watched for policy violations while its scripts are used (tests/security/ checks the
headers and the markup)."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.security.pages import build_site

pytestmark = pytest.mark.django_db(transaction=True)

# Runs before any page script, outside the page's policy; collects what the policy blocked.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-GB", timezone_id="America/New_York")
    context.add_init_script(WATCH)
    context.set_default_timeout(15_000)
    context.console_errors = []
    yield context
    context.close()


def watched_page(context):
    page = context.new_page()
    page.on(
        "console",
        lambda message: message.type == "error" and context.console_errors.append(message.text),
    )
    return page


def log_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def assert_no_violations(page, context) -> None:
    assert page.evaluate("window.__csp") == []
    blocked = [text for text in context.console_errors if "Content Security Policy" in text]
    assert blocked == []


def test_public_and_author_pages_run_their_scripts(live_server, context):
    site = build_site()
    page = watched_page(context)

    page.goto(live_server.url + reverse("schedule:schedule", args=[site.workshop.slug]))
    toggle = page.locator("[data-localtime-toggle]")
    expect(toggle).to_be_visible()  # hidden until localtime.js runs
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert_no_violations(page, context)

    page.goto(live_server.url + reverse("workshops:detail", args=[site.workshop.slug]))
    page.locator(".navbar-toggler").count()  # Bootstrap's bundle loaded without complaint
    assert_no_violations(page, context)

    log_in(context, live_server, site.speaker)
    page.goto(live_server.url + reverse("submissions:new", args=[site.workshop.slug]))
    page.locator("#id_abstract").fill("three little words")
    expect(page.get_by_text("3 / 300 words")).to_be_visible()  # word-count.js
    assert_no_violations(page, context)


def test_admin_actions_autocomplete_and_popups_work(live_server, context):
    site = build_site()
    log_in(context, live_server, UserFactory(is_staff=True, is_superuser=True))
    page = watched_page(context)

    # Changelist actions: "select all" and the action bar are actions.js.
    page.goto(live_server.url + reverse("admin:submissions_submission_changelist"))
    page.locator("#action-toggle").check()
    expect(page.locator("input.action-select").first).to_be_checked()
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    assert_no_violations(page, context)

    # The schedule builder.
    page.goto(
        live_server.url + reverse("admin:workshops_workshop_schedule", args=[site.workshop.pk])
    )
    expect(page.locator("#schedule-form")).to_be_visible()
    assert_no_violations(page, context)

    # A change form: select2 autocomplete (an XHR to the admin) and an add-another popup.
    page.goto(live_server.url + reverse("admin:schedule_scheduleitem_change", args=[site.item.pk]))
    page.locator(".field-speakers .select2-selection").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")
    with page.expect_popup() as opened:
        page.locator("#add_id_room").click()
    popup = opened.value
    popup.locator("#id_name").fill("Amphi Gauss")
    popup.locator("#id_workshop").select_option(str(site.workshop.pk))
    popup.locator("input[name=_save]").click()
    popup.wait_for_event("close")
    expect(page.locator("#id_room option:checked")).to_have_text("Amphi Gauss")
    assert_no_violations(page, context)


def test_the_watch_sees_a_blocked_inline_script(live_server, context):
    page = watched_page(context)
    page.route(
        f"{live_server.url}/probe",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Security-Policy": "script-src 'self'"},
            content_type="text/html",
            body="<p>probe</p><script>document.title = 'ran';</script>",
        ),
    )
    page.goto(f"{live_server.url}/probe")
    expect(page.locator("p")).to_have_text("probe")
    assert page.title() != "ran"
    assert page.evaluate("window.__csp") == ["script-src-elem inline"]
