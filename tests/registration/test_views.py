"""Public registration pages: every state and its message, bad input, the link, check-in."""

import datetime as dt
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingMail
from registration import services
from registration.models import Question, Registration
from registration.tokens import manage_link_token
from registration.views import TOO_MANY
from tests.factories import (
    OrganizerFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
    UserFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status
PARIS = dt.timezone(dt.timedelta(hours=2))  # Europe/Paris in May (CEST)


@pytest.fixture
def conf():
    return RegistrationSettingsFactory(
        capacity=2, workshop__title="Tensor Days", workshop__slug="tensor-days"
    )


@pytest.fixture
def frozen_clock(monkeypatch):
    """Stop the clock at a given instant (the outside world's time)."""

    def freeze(instant: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return freeze


@pytest.fixture
def questions(conf):
    w = conf.workshop
    return [
        Question.objects.create(workshop=w, label="Why do you come?", required=True, order=1),
        Question.objects.create(
            workshop=w, label="Lunch", kind="choice", choices="Vegetarian\nVegan\nAnything",
            required=True, order=2,
        ),
        Question.objects.create(
            workshop=w, label="I accept the code of conduct", kind="checkbox", required=True,
            order=3,
        ),
    ]  # fmt: skip


def register_url(conf) -> str:
    return reverse("registration:register", args=[conf.workshop.slug])


def thanks_url(conf) -> str:
    return reverse("registration:thanks", args=[conf.workshop.slug])


def form_data(n: int = 1, **extra) -> dict:
    return {
        "first_name": f"Ada{n}",
        "last_name": "Lovelace",
        "email": f"ada{n}@example.org",
        "affiliation": "Université de Lorraine",
        "career_stage": "phd",
        "dietary_needs": "",
        **extra,
    }


def answers_for(questions, text="To learn", choice="Vegan", checkbox="on") -> dict:
    return {
        questions[0].field_name: text,
        questions[1].field_name: choice,
        questions[2].field_name: checkbox,
    }


def shown_text(response, testid: str) -> str:
    """The visible text of the element marked ``data-testid=testid`` ("" when absent)."""
    match = re.search(
        rf'data-testid="{testid}">(.*?)</(?:div|p|dd|ul|span)>', response.content.decode(), re.S
    )
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", match[1])).split()) if match else ""


def shows_form(response) -> bool:
    return 'name="email"' in response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def mails() -> list[tuple[str, str]]:
    return list(OutgoingMail.objects.order_by("pk").values_list("key", "to"))


def seat(conf, n: int, status: str = Status.CONFIRMED, **extra) -> Registration:
    """A registration made earlier, in arrival order ``n``."""
    arrived = timezone.now() - dt.timedelta(hours=10 - n)
    fields = {
        "first_name": f"Person{n}",
        "last_name": "Lovelace",
        "email": f"person{n}@example.org",
        "created_at": arrived,
        "queued_at": arrived if status == Status.WAITLISTED else None,
    }
    registration = RegistrationFactory(workshop=conf.workshop, status=status, **(fields | extra))
    # Written past the services, which keep the seat counts: count again.
    services.recount_seats(workshop=conf.workshop)
    return registration


# The form page, before anyone types


def test_register_page_says_when_registration_opens_in_the_workshop_zone(client, conf):
    conf.workshop.time_zone = "Asia/Tokyo"
    conf.workshop.save()
    conf.opens_at = dt.datetime(2031, 4, 30, 23, 30, tzinfo=dt.UTC)  # 1 May, 08:30 in Tokyo
    conf.closes_at = None
    conf.save()
    response = client.get(register_url(conf))
    assert response.status_code == 200
    assert shown_text(response, "registration-state") == (
        "Registration opens on 1 May 2031 at 08:30 (Asia/Tokyo)."
    )
    assert not shows_form(response)


def test_register_page_without_opening_date_says_not_open_yet(client, conf):
    conf.opens_at = conf.closes_at = None
    conf.save()
    response = client.get(register_url(conf))
    assert shown_text(response, "registration-state") == "Registration is not open yet."
    assert not shows_form(response)


def test_register_page_says_registration_is_closed(client, conf):
    conf.opens_at = timezone.now() - dt.timedelta(days=10)
    conf.closes_at = timezone.now() - dt.timedelta(minutes=1)
    conf.save()
    response = client.get(register_url(conf))
    assert shown_text(response, "registration-state") == "Registration is closed."
    assert not shows_form(response)


def test_full_workshop_offers_the_waiting_list(client, conf):
    seat(conf, 1), seat(conf, 2)
    response = client.get(register_url(conf))
    assert shown_text(response, "registration-state") == (
        "The workshop is full. Register below to join the waiting list: you move up "
        "automatically when a seat frees up, and we write to you at once."
    )
    assert shows_form(response)


def test_full_workshop_without_waiting_list_says_so_and_hides_the_form(client, conf):
    conf.waitlist_enabled = False
    conf.save()
    seat(conf, 1), seat(conf, 2)
    response = client.get(register_url(conf))
    assert shown_text(response, "registration-state") == (
        "The workshop is full, and there is no waiting list."
    )
    assert not shows_form(response)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], "2 seats left."),
        ([Status.CONFIRMED], "1 seat left."),
        ([Status.CONFIRMED, Status.CANCELLED, Status.PENDING], "1 seat left."),
    ],
)
def test_register_page_shows_seats_left_when_enabled(client, conf, statuses, expected):
    conf.show_remaining_seats = True
    conf.save()
    for n, status in enumerate(statuses):
        seat(conf, n, status)
    response = client.get(register_url(conf))
    assert shown_text(response, "registration-state") == expected
    assert shows_form(response)


def test_register_page_keeps_seats_to_itself_by_default(client, conf):
    seat(conf, 1)
    response = client.get(register_url(conf))
    assert shown_text(response, "registration-state") == ""
    assert "seat" not in response.content.decode()
    assert shows_form(response)


def test_register_page_is_404_without_settings_or_when_unpublished(client, conf):
    bare = WorkshopFactory()
    hidden = RegistrationSettingsFactory(workshop__published=False)
    assert client.get(reverse("registration:register", args=[bare.slug])).status_code == 404
    assert client.get(register_url(hidden)).status_code == 404
    assert client.post(register_url(hidden), form_data()).status_code == 404
    assert Registration.objects.count() == 0


def test_register_page_query_count_does_not_grow(client, conf, django_assert_max_num_queries):
    for n in range(6):
        Question.objects.create(workshop=conf.workshop, label=f"Question {n}")
        seat(conf, n, Status.WAITLISTED)
    with django_assert_max_num_queries(4):
        response = client.get(register_url(conf))
    assert response.status_code == 200


# Registering


def test_registering_redirects_to_the_manage_page_and_queues_the_mail(client, conf):
    response = client.post(register_url(conf), form_data(1, dietary_needs="Vegan"))
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response.url == registration.get_absolute_url()
    assert (
        registration.first_name, registration.last_name, registration.email,
        registration.affiliation, registration.career_stage, registration.dietary_needs,
        registration.status, registration.answers,
    ) == (
        "Ada1", "Lovelace", "ada1@example.org", "Université de Lorraine", "phd", "Vegan",
        Status.CONFIRMED, {},
    )  # fmt: skip
    assert mails() == [(f"registration-confirmed:{registration.pk}", "ada1@example.org")]
    mail = OutgoingMail.objects.get()
    assert mail.subject == "Your seat at Tensor Days is confirmed"
    # SITE_URL unset (the embedded default): the address this request was made to.
    assert "http://testserver" + registration.get_absolute_url() in mail.body_text
    assert f"Your check-in code is {registration.checkin_code}" in mail.body_text
    page = client.get(response.url)
    assert shown_text(page, "registration-status") == "Confirmed"


def test_registering_when_full_lands_on_the_waiting_list(client, conf):
    seat(conf, 1), seat(conf, 2), seat(conf, 3, Status.WAITLISTED)
    response = client.post(register_url(conf), form_data(9), follow=True)
    registration = Registration.objects.get(email="ada9@example.org")
    assert registration.status == Status.WAITLISTED
    assert shown_text(response, "registration-status") == (
        "On the waiting list — position 2 on the waiting list"
    )
    assert mails() == [(f"registration-waitlisted:{registration.pk}", "ada9@example.org")]
    assert "in position 2" in OutgoingMail.objects.get().body_text
    assert messages_of(response) == [
        "The workshop is full: you are on the waiting list, and move up by yourself when a "
        "seat frees up. We have sent a mail to ada9@example.org with the link to this page."
    ]


def test_registering_for_a_workshop_with_approval_waits_for_it(client, conf):
    conf.requires_approval = True
    conf.save()
    response = client.post(register_url(conf), form_data(1), follow=True)
    registration = Registration.objects.get()
    assert registration.status == Status.PENDING
    assert shown_text(response, "registration-status") == "Awaiting approval"
    assert mails() == [(f"registration-pending:{registration.pk}", "ada1@example.org")]
    assert messages_of(response)[0].startswith("Your registration awaits the organizers'")


def test_the_new_registrations_page_says_it_is_done_and_a_mail_is_on_its_way(client, conf):
    response = client.post(register_url(conf), form_data(1), follow=True)
    assert messages_of(response) == [
        "You are registered for Tensor Days. We have sent a mail to ada1@example.org with the "
        "link to this page."
    ]
    page = response.content.decode()
    assert 'aria-current="page" href="/workshops/tensor-days/register/">Register</a>' in page


def test_registering_again_in_another_case_resends_the_link_and_saves_nothing(client, conf):
    existing = seat(conf, 1, email="ada@example.org")
    response = client.post(
        register_url(conf), form_data(first_name="Mallory", email=" ADA@Example.ORG "), follow=True
    )
    assert response.redirect_chain == [(thanks_url(conf), 302)]
    assert messages_of(response) == [
        "This address is already registered. We have sent the link to your registration to it "
        "again."
    ]
    assert list(Registration.objects.values_list("pk", "first_name")) == [(existing.pk, "Person1")]
    mail = OutgoingMail.objects.get()
    assert (mail.key.rsplit(":", 1)[0], mail.to) == (
        f"registration-link:{existing.pk}",
        "ada@example.org",
    )
    assert existing.get_absolute_url() in mail.body_text
    assert existing.get_absolute_url() not in response.content.decode()


def test_registering_again_after_cancelling_is_a_new_registration(client, conf):
    old = seat(conf, 1, Status.CANCELLED, email="ada1@example.org")
    response = client.post(register_url(conf), form_data(1))
    new = Registration.objects.exclude(pk=old.pk).get()
    assert response.url == new.get_absolute_url()
    assert new.status == Status.CONFIRMED


def test_window_is_enforced_on_the_server_in_the_workshop_zone(client, conf, frozen_clock):
    conf.opens_at = dt.datetime(2031, 5, 1, 9, 0, tzinfo=conf.workshop.tz)
    conf.closes_at = dt.datetime(2031, 5, 10, 18, 0, tzinfo=conf.workshop.tz)
    conf.save()

    frozen_clock(dt.datetime(2031, 5, 1, 8, 59, 59, tzinfo=PARIS))
    early = client.post(register_url(conf), form_data(1))
    assert early.status_code == 200
    assert early.context["form"].non_field_errors() == [
        "Registration opens on 1 May 2031 at 09:00 (Europe/Paris)."
    ]
    assert Registration.objects.count() == 0

    frozen_clock(dt.datetime(2031, 5, 1, 9, 0, tzinfo=PARIS))
    assert client.post(register_url(conf), form_data(2)).status_code == 302

    frozen_clock(dt.datetime(2031, 5, 10, 18, 0, tzinfo=PARIS))
    late = client.post(register_url(conf), form_data(3))
    assert late.status_code == 200
    assert late.context["form"].non_field_errors() == ["Registration is closed."]
    assert shown_text(late, "registration-state") == "Registration is closed."
    assert list(Registration.objects.values_list("email", flat=True)) == ["ada2@example.org"]
    assert [key.split(":")[0] for key, _ in mails()] == ["registration-confirmed"]


def test_post_before_opening_saves_nothing_and_says_when(client, conf):
    conf.opens_at = dt.datetime(2031, 5, 1, 9, 0, tzinfo=conf.workshop.tz)
    conf.closes_at = None
    conf.save()
    response = client.post(register_url(conf), form_data(1))
    assert response.status_code == 200
    assert "Registration opens on 1 May 2031 at 09:00 (Europe/Paris)." in (
        response.content.decode()
    )
    assert not shows_form(response)
    assert (Registration.objects.count(), OutgoingMail.objects.count()) == (0, 0)


def test_post_after_closing_saves_nothing_and_says_closed(client, conf):
    conf.opens_at = timezone.now() - dt.timedelta(days=10)
    conf.closes_at = timezone.now() - dt.timedelta(seconds=1)
    conf.save()
    response = client.post(register_url(conf), form_data(1))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Registration is closed."]
    assert (Registration.objects.count(), OutgoingMail.objects.count()) == (0, 0)


def test_post_when_full_without_waiting_list_saves_nothing(client, conf):
    conf.waitlist_enabled = False
    conf.save()
    seat(conf, 1), seat(conf, 2)
    response = client.post(register_url(conf), form_data(9))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The workshop is full."]
    assert Registration.objects.count() == 2
    assert OutgoingMail.objects.count() == 0


# Bad input: form errors, status 200, nothing saved, never a 500

REQUIRED = ["This field is required."]
CONTROL = ["Please remove control characters."]
INVALID_EMAIL = "Enter a valid email address."


def too_long(limit: int, length: int = 10_000) -> list[str]:
    return [f"Ensure this value has at most {limit} characters (it has {length})."]


def not_a_choice(value: str) -> list[str]:
    return [f"Select a valid choice. {value} is not one of the available choices."]


@pytest.mark.parametrize(
    ("field", "value", "errors"),
    [
        ("email", "not-an-email", [INVALID_EMAIL]),
        ("email", "", REQUIRED),
        ("email", "a" * 10_000 + "@example.org", [INVALID_EMAIL, *too_long(254, 10_012)]),
        ("first_name", "A" * 10_000, too_long(100)),
        ("affiliation", "x" * 10_000, too_long(250)),
        ("dietary_needs", "x" * 10_000, too_long(250)),
        ("last_name", "Love\x07lace", CONTROL),
        ("affiliation", "Inria\x1b[31m", CONTROL),
        ("first_name", "Ada\x00", [*CONTROL, "Null characters are not allowed."]),
        ("affiliation", "", REQUIRED),
        ("career_stage", "wizard", not_a_choice("wizard")),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(client, conf, field, value, errors):
    response = client.post(register_url(conf), form_data(1, **{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: errors}
    assert (Registration.objects.count(), OutgoingMail.objects.count()) == (0, 0)


def test_missing_required_answers_are_form_errors(client, conf, questions):
    response = client.post(register_url(conf), form_data(1))
    assert response.status_code == 200
    assert response.context["form"].errors == {q.field_name: REQUIRED for q in questions}
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("answer", "index", "errors"),
    [
        ({"choice": "Pizza"}, 1, not_a_choice("Pizza")),
        ({"text": "x" * 10_000}, 0, too_long(1000)),
        ({"text": "ok\x08"}, 0, CONTROL),
        ({"checkbox": ""}, 2, REQUIRED),
    ],
)
def test_wrong_answers_are_form_errors(client, conf, questions, answer, index, errors):
    data = form_data(1) | answers_for(questions, **answer)
    response = client.post(register_url(conf), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {questions[index].field_name: errors}
    assert Registration.objects.count() == 0


def test_question_help_text_is_text_not_html(client, conf):
    Question.objects.create(
        workshop=conf.workshop,
        label="Poster?",
        help_text='<meta http-equiv="refresh" content="0;url=https://evil.example"> <b>bold</b>',
    )
    for url in (register_url(conf), RegistrationFactory(workshop=conf.workshop).get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<meta http-equiv" not in html, url
        assert "&lt;meta http-equiv=&quot;refresh&quot;" in html, url
        assert "<b>bold</b>" not in html


def test_answers_are_saved_by_question(client, conf, questions):
    response = client.post(register_url(conf), form_data(1) | answers_for(questions))
    assert response.status_code == 302
    assert Registration.objects.get().answers == {
        str(questions[0].pk): "To learn",
        str(questions[1].pk): "Vegan",
        str(questions[2].pk): True,
    }


def test_consent_to_the_participant_list_is_asked_only_when_the_list_is_public(client, conf):
    assert "list_consent" not in client.get(register_url(conf)).context["form"].fields
    conf.participant_list_public = True
    conf.save()
    assert "list_consent" in client.get(register_url(conf)).context["form"].fields
    client.post(register_url(conf), form_data(1, list_consent="on"))
    assert Registration.objects.get().list_consent is True


@pytest.mark.parametrize("data", [form_data(1), {}], ids=["valid", "empty"])
def test_honeypot_sends_bots_to_the_thanks_page_and_saves_nothing(client, conf, data):
    response = client.post(register_url(conf), {**data, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response.url == thanks_url(conf)
    assert (Registration.objects.count(), OutgoingMail.objects.count()) == (0, 0)


def test_too_many_posts_from_one_address_get_429_and_save_nothing(
    client, conf, settings, frozen_clock
):
    settings.REGISTRATION_POSTS_PER_MINUTE = 2
    conf.capacity = None
    conf.save()
    frozen_clock(timezone.now())  # every POST falls in the same one-minute window
    url = register_url(conf)
    statuses = [client.post(url, form_data(n), REMOTE_ADDR="192.0.2.1").status_code for n in (1, 2)]
    refused = client.post(url, form_data(3), REMOTE_ADDR="192.0.2.1")
    spoofed = client.post(
        url, form_data(4), REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert statuses == [302, 302]
    assert (refused.status_code, spoofed.status_code) == (429, 429)
    assert messages_of(refused)[-1:] == [TOO_MANY]  # after the two sign-ups' own
    assert sorted(Registration.objects.values_list("email", flat=True)) == [
        "ada1@example.org",
        "ada2@example.org",
    ]
    assert OutgoingMail.objects.count() == 2
    assert client.post(url, form_data(5), REMOTE_ADDR="192.0.2.2").status_code == 302


def test_rate_limit_counts_invalid_posts_too(client, conf, settings, frozen_clock):
    settings.REGISTRATION_POSTS_PER_MINUTE = 1
    frozen_clock(timezone.now())
    assert client.post(register_url(conf), {"email": "junk"}).status_code == 200
    assert client.post(register_url(conf), form_data(1)).status_code == 429
    assert Registration.objects.count() == 0


def test_one_address_is_limited_from_one_ip(client, conf, settings, frozen_clock):
    settings.REGISTRATION_POSTS_PER_ADDRESS_AND_IP_PER_MINUTE = 2
    frozen_clock(timezone.now())
    url = register_url(conf)
    answers = [
        client.post(url, form_data(1), REMOTE_ADDR="192.0.2.1").status_code for _ in range(3)
    ]
    assert answers == [302, 302, 429]
    # Another address from that IP, and that address from another IP, go through.
    assert client.post(url, form_data(2), REMOTE_ADDR="192.0.2.1").status_code == 302
    assert client.post(url, form_data(1), REMOTE_ADDR="192.0.2.2").status_code == 302


def test_one_address_is_limited_from_anywhere(client, conf, settings, frozen_clock):
    settings.REGISTRATION_POSTS_PER_ADDRESS_PER_HOUR = 3
    frozen_clock(timezone.now())
    url = register_url(conf)
    answers = [
        client.post(url, form_data(1), REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(4)
    ]
    assert answers == [302, 302, 302, 429]
    # A sign-up for the address may mail it (a registration, then its link again): bounded.
    assert OutgoingMail.objects.filter(to="ada1@example.org").count() <= 3
    assert client.post(url, form_data(2), REMOTE_ADDR="198.51.100.9").status_code == 302


def test_behind_the_proxy_the_address_it_added_counts(client, conf, settings, frozen_clock):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REGISTRATION_POSTS_PER_MINUTE = 1
    frozen_clock(timezone.now())
    url = register_url(conf)
    # The client forges the leftmost entry; our proxy appended the real address.
    first = client.post(url, form_data(1), HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.5")
    forged = client.post(url, form_data(2), HTTP_X_FORWARDED_FOR="10.0.0.2, 203.0.113.5")
    other = client.post(url, form_data(3), HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.6")
    assert [r.status_code for r in (first, forged, other)] == [302, 429, 302]


# The self-service page


def test_manage_page_shows_status_and_check_in_code(client, conf, django_assert_max_num_queries):
    registration = seat(conf, 1)
    for n in range(2, 8):
        Question.objects.create(workshop=conf.workshop, label=f"Question {n}")
        seat(conf, n, Status.WAITLISTED)
    with django_assert_max_num_queries(4):
        response = client.get(registration.get_absolute_url())
    assert response.status_code == 200
    assert shown_text(response, "registration-status") == "Confirmed"
    assert registration.checkin_code in response.content.decode()
    assert response.context["form"].initial["first_name"] == "Person1"


def test_manage_page_shows_the_waiting_list_position(client, conf, django_assert_max_num_queries):
    seat(conf, 1), seat(conf, 2)
    waiting = [seat(conf, n, Status.WAITLISTED) for n in (3, 4, 5)]
    with django_assert_max_num_queries(5):
        response = client.get(waiting[2].get_absolute_url())
    assert shown_text(response, "registration-status") == (
        "On the waiting list — position 3 on the waiting list"
    )
    assert waiting[2].checkin_code not in response.content.decode()


def test_manage_page_edits_details_but_not_the_address(client, conf, questions):
    registration = seat(conf, 1)
    data = form_data(1, first_name="Augusta", affiliation="Inria", email="evil@example.org")
    response = client.post(
        registration.get_absolute_url(),
        {"action": "update", **data, **answers_for(questions, text="Curiosity")},
        follow=True,
    )
    assert response.redirect_chain == [(registration.get_absolute_url(), 302)]
    assert messages_of(response) == ["Your details are saved."]
    registration.refresh_from_db()
    assert (registration.first_name, registration.affiliation, registration.email) == (
        "Augusta",
        "Inria",
        "person1@example.org",
    )
    assert registration.answers[str(questions[0].pk)] == "Curiosity"
    assert OutgoingMail.objects.count() == 0


def test_manage_page_refuses_bad_details_and_changes_nothing(client, conf):
    registration = seat(conf, 1)
    response = client.post(
        registration.get_absolute_url(),
        {"action": "update", **form_data(1, first_name="", last_name="L" * 10_000)},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "first_name": ["This field is required."],
        "last_name": ["Ensure this value has at most 100 characters (it has 10000)."],
    }
    registration.refresh_from_db()
    assert (registration.first_name, registration.last_name) == ("Person1", "Lovelace")


def test_editing_keeps_answers_the_form_no_longer_asks(client, conf):
    registration = seat(conf, 1, list_consent=True, affiliation="Inria")
    conf.ask_affiliation = conf.Ask.OFF  # the organizer stopped asking; the list is not public
    conf.save()
    response = client.post(
        registration.get_absolute_url(),
        {"action": "update", "first_name": "Augusta", "last_name": "Lovelace"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.first_name, registration.affiliation, registration.list_consent) == (
        "Augusta",
        "Inria",
        True,
    )


def test_cancelling_a_seat_promotes_the_next_person_and_mails_them(client, conf):
    a, b = seat(conf, 1), seat(conf, 2)
    c, d = seat(conf, 3, Status.WAITLISTED), seat(conf, 4, Status.WAITLISTED)
    asked = client.post(a.get_absolute_url(), {"action": "cancel"})
    assert asked.status_code == 200 and 'data-testid="confirm-cancel"' in asked.content.decode()
    assert "Yes, cancel my registration" in asked.content.decode()
    a.refresh_from_db()
    assert a.status == Status.CONFIRMED and mails() == []  # asked, nothing done yet
    response = client.post(
        a.get_absolute_url(), {"action": "cancel", "confirmed": "1"}, follow=True
    )
    assert response.redirect_chain == [(a.get_absolute_url(), 302)]
    assert messages_of(response) == ["Your registration is cancelled."]
    assert shown_text(response, "registration-status") == "Cancelled"
    assert "Cancel my registration" not in response.content.decode()
    assert dict(Registration.objects.values_list("pk", "status")) == {
        a.pk: Status.CANCELLED,
        b.pk: Status.CONFIRMED,
        c.pk: Status.CONFIRMED,
        d.pk: Status.WAITLISTED,
    }
    assert mails() == [
        (f"registration-cancelled:{a.pk}", a.email),
        (f"registration-promoted:{c.pk}", c.email),
    ]
    promoted = OutgoingMail.objects.get(key=f"registration-promoted:{c.pk}")
    assert promoted.subject == "You're in: a seat at Tensor Days is yours"
    assert f"Your check-in code is {c.checkin_code}." in promoted.body_text
    assert c.get_absolute_url() in promoted.body_text


def test_leaving_the_waiting_list_promotes_nobody(client, conf):
    seat(conf, 1), seat(conf, 2)
    c, d = seat(conf, 3, Status.WAITLISTED), seat(conf, 4, Status.WAITLISTED)
    client.post(c.get_absolute_url(), {"action": "cancel", "confirmed": "1"})
    c.refresh_from_db(), d.refresh_from_db()
    assert (c.status, d.status) == (Status.CANCELLED, Status.WAITLISTED)
    assert mails() == [(f"registration-cancelled:{c.pk}", c.email)]
    response = client.get(d.get_absolute_url())
    assert shown_text(response, "registration-status") == (
        "On the waiting list — position 1 on the waiting list"
    )


def test_cancelling_twice_says_so_and_changes_nothing(client, conf):
    registration = seat(conf, 1, Status.CANCELLED)
    response = client.post(registration.get_absolute_url(), {"action": "cancel"}, follow=True)
    assert messages_of(response) == ["This registration is already cancelled."]
    assert OutgoingMail.objects.count() == 0
    assert response.context["form"] is None


def test_cancelled_registration_cannot_be_edited(client, conf):
    registration = seat(conf, 1, Status.CANCELLED)
    response = client.post(
        registration.get_absolute_url(), {"action": "update", **form_data(1, first_name="X")}
    )
    assert response.status_code == 400
    registration.refresh_from_db()
    assert registration.first_name == "Person1"


def token_of(registration: Registration) -> str:
    return manage_link_token.make_token(registration)


BAD_LINKS = {
    "tampered": lambda mine, other: (mine.pk, token_of(mine)[:-1] + "x"),
    "another registration's": lambda mine, other: (mine.pk, token_of(other)),
    "zeros": lambda mine, other: (mine.pk, "0" * 40),
    "nul": lambda mine, other: (mine.pk, "%00"),
    "junk": lambda mine, other: ("abc", "def"),
    "no such pk": lambda mine, other: (mine.pk + 1000, token_of(mine)),
    "huge pk": lambda mine, other: (10**30, token_of(mine)),
}


@pytest.mark.parametrize("make_link", BAD_LINKS.values(), ids=BAD_LINKS.keys())
def test_a_bad_link_is_404_and_cancels_nothing(client, conf, make_link):
    mine, other = seat(conf, 1), seat(conf, 2)
    url = "/registrations/{}/{}/".format(*make_link(mine, other))
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "cancel"}).status_code == 404
    assert set(Registration.objects.values_list("status", flat=True)) == {Status.CONFIRMED}
    assert OutgoingMail.objects.count() == 0


# Check-in


def checkin_url(conf) -> str:
    return reverse("registration:checkin", args=[conf.workshop.slug])


@pytest.fixture
def desk(client, conf):
    """A client logged in as an organizer of the workshop."""
    organizer = OrganizerFactory()
    conf.workshop.organizers.add(organizer)
    client.force_login(organizer)
    return client


def test_checkin_page_is_404_to_all_but_the_workshops_organizers(client, conf):
    attendee = seat(conf, 1)
    listed_not_staff = UserFactory()
    conf.workshop.organizers.add(listed_not_staff)
    for user in (None, OrganizerFactory(), listed_not_staff):
        if user:
            client.force_login(user)
        assert client.get(checkin_url(conf)).status_code == 404
        assert client.post(checkin_url(conf), {"code": attendee.checkin_code}).status_code == 404
    attendee.refresh_from_db()
    assert attendee.checked_in_at is None


def test_checkin_accepts_a_typed_code(desk, conf):
    attendee = seat(conf, 1, first_name="Ada", affiliation="Inria")
    seat(conf, 2)
    typed = " ".join(attendee.checkin_code.lower())
    response = desk.post(checkin_url(conf), {"code": typed})
    assert response.status_code == 200
    assert shown_text(response, "checkin-result") == "Welcome, Ada Lovelace (Inria): checked in."
    assert shown_text(response, "checkin-counts") == "1 of 2 arrived"
    attendee.refresh_from_db()
    assert attendee.checked_in_at is not None


@pytest.mark.parametrize(
    ("status", "checked_in_at", "code", "error"),
    [
        (Status.CONFIRMED, None, "NOPE42", "Unknown code “NOPE42” for this workshop."),
        (Status.CANCELLED, None, None, "Ada Lovelace's registration is cancelled."),
        (Status.WAITLISTED, None, None, "Ada Lovelace is not confirmed (On the waiting list)."),
        (
            Status.CONFIRMED,
            dt.datetime(2031, 5, 1, 7, 15, tzinfo=dt.UTC),
            None,
            "Ada Lovelace already checked in at 09:15 on 01 May.",
        ),
    ],
    ids=["unknown", "cancelled", "waitlisted", "already used"],
)
def test_checkin_refuses_with_a_clear_message(desk, conf, status, checked_in_at, code, error):
    attendee = seat(conf, 1, status, first_name="Ada", checked_in_at=checked_in_at)
    response = desk.post(checkin_url(conf), {"code": code or attendee.checkin_code})
    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [error]}
    assert response.context["arrived"] is None
    attendee.refresh_from_db()
    assert attendee.checked_in_at == checked_in_at


def test_checkin_refuses_another_workshops_code(desk, conf):
    elsewhere = RegistrationFactory(workshop=RegistrationSettingsFactory().workshop)
    response = desk.post(checkin_url(conf), {"code": elsewhere.checkin_code})
    assert response.context["form"].errors == {
        "code": [f"Unknown code “{elsewhere.checkin_code}” for this workshop."]
    }
    elsewhere.refresh_from_db()
    assert elsewhere.checked_in_at is None


def test_checkin_refuses_an_overlong_code(desk, conf):
    response = desk.post(checkin_url(conf), {"code": "A" * 10_000})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["Ensure this value has at most 40 characters (it has 10000)."]
    }


# Participant list


def participants_url(conf) -> str:
    return reverse("registration:participants", args=[conf.workshop.slug])


def test_participant_list_is_404_unless_public(client, conf):
    seat(conf, 1, list_consent=True)
    assert client.get(participants_url(conf)).status_code == 404
    bare = WorkshopFactory()
    assert client.get(reverse("registration:participants", args=[bare.slug])).status_code == 404


def test_participant_list_shows_only_consenting_confirmed_people(
    client, conf, django_assert_max_num_queries
):
    conf.participant_list_public = True
    conf.capacity = None
    conf.save()
    seat(conf, 1, list_consent=True, first_name="Emmy", last_name="Noether", affiliation="")
    seat(conf, 2, list_consent=True, first_name="Ada", last_name="Lovelace")
    seat(conf, 3, list_consent=False, first_name="Secret", last_name="Person")
    seat(conf, 4, Status.WAITLISTED, list_consent=True, first_name="Waiting", last_name="One")
    seat(conf, 5, Status.CANCELLED, list_consent=True, first_name="Gone", last_name="Away")
    seat(conf, 6, Status.PENDING, list_consent=True, first_name="Pending", last_name="Two")
    RegistrationFactory(list_consent=True, first_name="Other", last_name="Workshop")
    with django_assert_max_num_queries(3):
        response = client.get(participants_url(conf))
    assert shown_text(response, "participants") == (
        "Ada Lovelace (Université de Lorraine) Emmy Noether"
    )
    for hidden in ("Secret", "Waiting", "Gone", "Pending", "Other"):
        assert hidden not in response.content.decode()


# The database's last line of defence


def test_two_active_registrations_with_one_email_in_any_case_are_refused(conf):
    seat(conf, 1, email="ada@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        seat(conf, 2, Status.WAITLISTED, email="ADA@Example.org")
    assert list(Registration.objects.values_list("email", flat=True)) == ["ada@example.org"]


def test_a_cancelled_registration_leaves_the_email_free(conf):
    seat(conf, 1, Status.CANCELLED, email="ada@example.org")
    seat(conf, 2, Status.REJECTED, email="Ada@example.org")
    seat(conf, 3, email="ADA@example.org")
    RegistrationFactory(email="ada@example.org")  # another workshop
    assert Registration.objects.with_email("ada@example.org").count() == 4


def test_mail_links_follow_the_served_address_unless_site_url_is_set(client, conf, settings):
    settings.ALLOWED_HOSTS = ["testserver", "192.168.1.20"]
    client.post(register_url(conf), form_data(1), HTTP_HOST="192.168.1.20:8000")
    first = Registration.objects.get()
    mail = OutgoingMail.objects.get()
    assert f"http://192.168.1.20:8000{first.get_absolute_url()}" in mail.body_text
    assert "http://192.168.1.20:8000/workshops/" in mail.body_text  # the signature too

    settings.SITE_URL = "https://workshops.example.org"
    client.post(register_url(conf), form_data(2), HTTP_HOST="192.168.1.20:8000")
    second = Registration.objects.exclude(pk=first.pk).get()
    later = OutgoingMail.objects.exclude(pk=mail.pk).get()
    assert f"https://workshops.example.org{second.get_absolute_url()}" in later.body_text
    assert "192.168.1.20" not in later.body_text
