"""axe-core (npm, pinned in package-lock.json) in Debian's chromium: no serious or critical
WCAG 2.1 A/AA violation on the public pages and forms; errors are announced; the keyboard works."""

import json
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from playwright.sync_api import expect

from registration.models import Question, Registration
from tests.conftest import IN_CI
from tests.factories import UserFactory
from tests.submissions.factories import (
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    SubmissionFactory,
)
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
PASSWORD = "correct-horse-battery-9"

if not AXE.exists():
    reason = f"needs axe-core at {AXE}: run `npm ci` (make test does)"
    if IN_CI:
        raise pytest.UsageError(f"CI must run the accessibility tests: {reason}")
    pytestmark = [pytestmark, pytest.mark.skip(reason=reason)]


@pytest.fixture
def page(browser):
    # The site's Content-Security-Policy refuses injected scripts; axe is ours, not the page's.
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Paris", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo(live_server):
    """The demo workshops (the demo one with its open call for abstracts), a speaker and a
    reviewer."""
    call_command("load_demo", verbosity=0)
    workshop = Workshop.objects.get(slug="demo-workshop")
    speaker = verified_user("ada@example.org", "Ada Lovelace")
    reviewer = verified_user("emmy@example.org", "Emmy Noether")
    submission = SubmissionFactory(workshop=workshop, submitter=speaker, title="Tensor trains")
    member = CommitteeMemberFactory(workshop=workshop, user=reviewer)
    assignment = ReviewAssignmentFactory(submission=submission, reviewer=member)
    return {"url": live_server.url, "assignment": assignment}


def verified_user(email: str, name: str):
    user = UserFactory(email=email, full_name=name, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def dinner_question() -> Question:
    return Question.objects.get(workshop__slug="demo-workshop")


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("link", name="Log out")).to_be_visible()


def serious_violations(page) -> list[dict]:
    """Run axe on the page as it is now; return its serious and critical WCAG 2.1 AA findings."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return [
        {
            "page": page.url,
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]],
        }
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def assert_no_serious_violations(found: list[dict]) -> None:
    assert found == [], "axe found:\n" + "\n".join(json.dumps(v) for v in found)


def test_axe_finds_what_it_should(live_server, page):
    """An image without a name and grey-on-white text: the check itself works."""
    page.goto(live_server.url)
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
            '<img src="/static/nothing.png"><p style="color:#ccc;background:#fff">faint</p>')"""
    )
    found = {(v["id"], v["impact"]) for v in serious_violations(page)}
    assert found == {("image-alt", "critical"), ("color-contrast", "serious")}


def test_public_pages_have_no_serious_violations(demo, page):
    found = []
    for path in (
        "/",
        "/workshops/lorainne24/",
        "/workshops/lorainne24/speakers/",
        "/workshops/lorainne24/schedule/",
        "/workshops/demo-workshop/",
        "/workshops/demo-workshop/register/",
        "/accounts/login/",
    ):
        page.goto(demo["url"] + path)
        found += serious_violations(page)
    assert_no_serious_violations(found)


def test_registration_form_with_errors_has_no_serious_violations(demo, page):
    page.goto(f"{demo['url']}/workshops/demo-workshop/register/")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a valid email address.")
    assert_no_serious_violations(serious_violations(page))


# Every invalid field: its error message, by aria-describedby to an element that exists.
DESCRIBED_ERRORS = """() => [...document.querySelectorAll('[aria-invalid="true"]')].map(field => [
    field.id,
    (field.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
        .map(id => document.getElementById(id)?.textContent.trim() || '<missing ' + id + '>')
        .join(' '),
])"""


def test_registration_errors_are_announced_and_tied_to_their_fields(demo, page):
    page.goto(f"{demo['url']}/workshops/demo-workshop/register/")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Register").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()  # read out first, without a script
    expect(summary.get_by_role("link")).to_have_text(
        ["Last name", "Email", "Affiliation", "Will you join the workshop dinner?"]
    )
    assert dict(page.evaluate(DESCRIBED_ERRORS)) == {
        "id_last_name": "This field is required.",
        "id_email": "Enter a valid email address.",
        "id_affiliation": "This field is required.",
        f"id_{dinner_question().field_name}": "This field is required.",
    }
    summary.get_by_role("link", name="Email").click()
    expect(page.get_by_label("Email")).to_be_focused()


def test_submission_errors_are_announced_and_tied_to_their_fields(demo, page):
    log_in(page, demo["url"], "ada@example.org")
    page.goto(f"{demo['url']}/workshops/demo-workshop/submit/")
    page.get_by_role("button", name="Add an author").click()
    page.get_by_test_id("author-row").nth(1).get_by_label("Email").fill("emmy@")
    page.get_by_role("button", name="Submit", exact=True).click()

    expect(page.get_by_role("alert")).to_be_focused()
    errors = dict(page.evaluate(DESCRIBED_ERRORS))
    assert errors["id_title"] == "This field is required."
    assert errors["id_abstract"].endswith("At most 300 words. This field is required.")
    assert errors["id_authors-1-email"] == "Enter a valid email address."
    assert not [text for text in errors.values() if "<missing" in text], errors
    assert_no_serious_violations(serious_violations(page))


def test_speaker_and_reviewer_pages_have_no_serious_violations(demo, page):
    found = []
    log_in(page, demo["url"], "ada@example.org")
    for path in ("/workshops/demo-workshop/submit/", "/submissions/"):
        page.goto(demo["url"] + path)
        found += serious_violations(page)
    page.goto(f"{demo['url']}/accounts/logout/")
    page.get_by_role("button", name="Log out", exact=True).click()
    log_in(page, demo["url"], "emmy@example.org")
    for path in ("/reviews/", f"/reviews/{demo['assignment'].pk}/"):
        page.goto(demo["url"] + path)
        found += serious_violations(page)
    assert_no_serious_violations(found)


def test_keyboard_alone_registers(demo, page):
    """Tab from the top of the page to each field and the button, typing; Enter registers."""
    page.goto(f"{demo['url']}/workshops/demo-workshop/register/")
    keys = page.keyboard
    keys.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    keys.press("Enter")  # past the navigation, to the page's own content
    order = []
    for _ in range(12):  # the workshop link, the fields in order, the honeypot never
        keys.press("Tab")
        focused = page.evaluate("document.activeElement.id || document.activeElement.tagName")
        order.append(focused)
        if focused == "id_first_name":
            break
    assert order[-1] == "id_first_name", order
    answers = {
        "id_first_name": "Ada",
        "id_last_name": "Lovelace",
        "id_email": "ada.keyboard@example.org",
        "id_affiliation": "Analytical Society",
    }
    for field_id, text in answers.items():
        expect(page.locator(f"#{field_id}")).to_be_focused()
        keys.type(text)
        keys.press("Tab")
    expect(page.locator("#id_career_stage")).to_be_focused()
    keys.press("ArrowDown")  # the first stage after "—"
    keys.press("Tab")
    expect(page.locator("#id_dietary_needs")).to_be_focused()
    keys.press("Tab")
    expect(page.locator("#id_list_consent")).to_be_focused()
    keys.press("Space")
    keys.press("Tab")  # the honeypot (tabindex=-1) is skipped
    expect(page.locator(f"#id_{dinner_question().field_name}")).to_be_focused()
    keys.press("ArrowDown")  # "Yes"
    keys.press("Tab")
    expect(page.get_by_role("button", name="Register")).to_be_focused()
    keys.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration")
    registration = Registration.objects.get(email="ada.keyboard@example.org")
    assert (registration.first_name, registration.career_stage, registration.list_consent) == (
        "Ada",
        "undergraduate",
        True,
    )
    assert list(registration.answers.values()) == ["Yes"]


def test_organizers_schedule_pages_have_no_serious_violations(demo, page):
    """The schedule page (table), its grid (with an item's dialog open, a new item's, and the
    release form) and the import preview, as an organizer sees them."""
    organizer = UserFactory(email="chair@example.org", password=PASSWORD, is_staff=True)
    workshop = Workshop.objects.get(slug="lorainne24")
    workshop.organizers.add(organizer)
    page.goto(f"{demo['url']}/admin/")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    base = f"{demo['url']}/admin/workshops/workshop/{workshop.pk}/schedule/"
    found = []
    item = workshop.schedule_items.filter(start__isnull=False).first()
    dialogs = (f"grid/?edit={item.pk}", "grid/?day=2024-11-27&new=10:00&publish=1")
    for path in ("", "grid/", "grid/?day=2024-11-27&step=5", *dialogs, "import/"):
        page.goto(base + path)
        found += serious_violations(page)
    page.get_by_label("…or paste the table").fill(
        "day,start,end,title\nDay 1,09:00,08:00,Backwards\nDay 2,09:00,,Posters\n"
    )
    page.get_by_role("button", name="Preview").click()
    found += serious_violations(page)
    assert_no_serious_violations(found)
