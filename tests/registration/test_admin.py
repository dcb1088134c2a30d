"""Organizer admin for registrations: scoped lists, actions through the services, CSV, capacity."""

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingMail
from registration import services
from registration.models import MailText, Question, Registration, RegistrationSettings
from tests.factories import (
    OrganizerFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
    WorkshopFactory,
)
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

Status = Registration.Status
CHANGELIST = "admin:registration_registration_changelist"
CSV_FIELDS = [
    "id", "workshop", "first_name", "last_name", "email", "affiliation", "career_stage",
    "dietary_needs", "list_consent", "status", "registered_at", "waitlisted_at", "confirmed_at",
    "cancelled_at", "checkin_code", "checked_in_at",
]  # fmt: skip


@pytest.fixture
def alice():
    return OrganizerFactory(email="alice@example.org")


@pytest.fixture
def bob():
    return OrganizerFactory(email="bob@example.org")


@pytest.fixture
def conf(alice):
    return RegistrationSettingsFactory(
        capacity=2,
        workshop__title="Tensor Days",
        workshop__slug="tensor-days",
        workshop__organizers=[alice],
    )


@pytest.fixture
def bobs(bob):
    """Another organizer's workshop, with one registration."""
    conf = RegistrationSettingsFactory(
        workshop__title="Hidden Bob Workshop",
        workshop__slug="hidden-bob",
        workshop__published=False,
        workshop__organizers=[bob],
    )
    return RegistrationFactory(
        workshop=conf.workshop, first_name="Bobby", email="bob-only@example.org"
    )


@pytest.fixture
def admin_client(client, alice):
    client.force_login(alice)
    return client


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


def act(client, action: str, registrations, **extra):
    """Run an admin action on the selected registrations, as the changelist's form does."""
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [r.pk for r in registrations], **extra},
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def statuses(*registrations) -> list[str]:
    return [Registration.objects.get(pk=r.pk).status for r in registrations]


def mail_keys() -> list[str]:
    return list(OutgoingMail.objects.order_by("pk").values_list("key", flat=True))


# The list


def test_organizer_sees_only_their_workshops_registrations(admin_client, conf, bobs):
    mine = [seat(conf, 1), seat(conf, 2, Status.WAITLISTED)]
    response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert sorted(response.context["cl"].queryset, key=lambda r: r.pk) == mine
    page = response.content.decode()
    assert "person1@example.org" in page
    assert "bob-only@example.org" not in page
    assert "Hidden Bob Workshop" not in page  # not even in the workshop filter


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "waitlisted"}, [3, 4]),
        ({"q": "noether"}, [2]),
        ({"q": "PERSON3@example"}, [3]),
        ({"arrived": "yes"}, [1]),
        ({"arrived": "no"}, [2, 3, 4]),
    ],
)
def test_registrations_are_filtered_and_searched(admin_client, conf, bobs, query, expected):
    regs = {
        1: seat(conf, 1, checked_in_at=timezone.now()),
        2: seat(conf, 2, last_name="Noether"),
        3: seat(conf, 3, Status.WAITLISTED),
        4: seat(conf, 4, Status.WAITLISTED),
    }
    response = admin_client.get(reverse(CHANGELIST), query)
    assert sorted(r.pk for r in response.context["cl"].queryset) == [regs[n].pk for n in expected]


def test_registration_changelist_query_count_is_pinned(
    admin_client, conf, django_assert_max_num_queries
):
    for n in range(30):
        seat(conf, n, Status.CONFIRMED if n < 2 else Status.WAITLISTED)
    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 30


# Actions, each through the same service as the public pages


def test_approve_confirms_while_seats_last_then_waitlists(admin_client, conf):
    conf.requires_approval = True
    conf.save()
    regs = [seat(conf, n, Status.PENDING) for n in (1, 2, 3)]
    response = act(admin_client, "approve", regs)
    assert response.status_code == 302
    assert messages_of(response) == ["3 registration(s) approved."]
    assert statuses(*regs) == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED]
    assert mail_keys() == [f"registration-approved:{r.pk}" for r in regs]


def test_approve_refuses_what_is_not_pending(admin_client, conf):
    confirmed = seat(conf, 1)
    response = act(admin_client, "approve", [confirmed])
    assert messages_of(response) == ["Person1 Lovelace is not awaiting approval."]
    assert statuses(confirmed) == [Status.CONFIRMED]
    assert mail_keys() == []


def test_reject_turns_down_pending_registrations(admin_client, conf):
    pending = seat(conf, 1, Status.PENDING)
    response = act(admin_client, "reject", [pending])
    assert messages_of(response) == ["1 registration(s) turned down."]
    assert statuses(pending) == [Status.REJECTED]
    assert mail_keys() == [f"registration-rejected:{pending.pk}"]


def test_move_up_confirms_a_waiting_person_out_of_turn(admin_client, conf):
    seat(conf, 1), seat(conf, 2)
    first, second = seat(conf, 3, Status.WAITLISTED), seat(conf, 4, Status.WAITLISTED)
    RegistrationSettings.objects.filter(pk=conf.pk).update(capacity=3)  # a seat, no promotion yet
    response = act(admin_client, "move_up", [second])
    assert messages_of(response) == ["1 registration(s) confirmed."]
    assert statuses(first, second) == [Status.WAITLISTED, Status.CONFIRMED]
    assert mail_keys() == [f"registration-promoted:{second.pk}"]


def test_move_up_without_a_free_seat_says_so_and_changes_nothing(admin_client, conf):
    seat(conf, 1), seat(conf, 2)
    waiting = seat(conf, 3, Status.WAITLISTED)
    response = act(admin_client, "move_up", [waiting])
    assert messages_of(response) == ["No seat is free for Person3 Lovelace; raise the capacity."]
    assert statuses(waiting) == [Status.WAITLISTED]
    assert mail_keys() == []


def test_cancel_action_promotes_the_first_waiting_person(admin_client, conf):
    a, b = seat(conf, 1), seat(conf, 2)
    c, d = seat(conf, 3, Status.WAITLISTED), seat(conf, 4, Status.WAITLISTED)
    response = act(admin_client, "cancel", [a])
    assert messages_of(response) == ["1 registration(s) cancelled."]
    assert statuses(a, b, c, d) == [
        Status.CANCELLED, Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED,
    ]  # fmt: skip
    assert mail_keys() == [f"registration-cancelled:{a.pk}", f"registration-promoted:{c.pk}"]


def test_resend_link_mails_active_registrations_only(admin_client, conf):
    active, cancelled = seat(conf, 1), seat(conf, 2, Status.CANCELLED)
    response = act(admin_client, "resend_link", [active, cancelled])
    assert messages_of(response) == ["1 registration(s) sent their link."]
    mail = OutgoingMail.objects.get()
    assert (mail.key.rsplit(":", 1)[0], mail.to) == (
        f"registration-link:{active.pk}",
        "person1@example.org",
    )
    assert active.get_absolute_url() in mail.body_text


def test_email_selected_asks_for_the_message_first(admin_client, conf):
    regs = [seat(conf, 1), seat(conf, 2)]
    response = act(admin_client, "email_selected", regs)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/registration/email_selected.html"
    assert "This message goes to 2 selected persons" in response.content.decode()
    recipients = response.content.decode().split('data-testid="recipients"')[1].split("</ul>")[0]
    assert "person1@example.org" in recipients and "person2@example.org" in recipients
    assert list(response.context["queryset"].order_by("pk")) == regs
    assert OutgoingMail.objects.count() == 0


def test_email_selected_queues_one_mail_each_with_placeholders(admin_client, conf):
    regs = [seat(conf, 1), seat(conf, 2, Status.WAITLISTED)]
    seat(conf, 3)  # not selected
    response = act(
        admin_client,
        "email_selected",
        regs,
        send="Queue the mails",
        subject="{workshop}: news for {first_name}",
        body="Dear {first_name} {last_name},\nyour status: {status}.\n{manage_url}",
    )
    assert response.status_code == 302
    assert messages_of(response) == ["2 mail(s) queued."]
    mails = list(OutgoingMail.objects.order_by("to"))
    assert [(m.to, m.subject) for m in mails] == [
        ("person1@example.org", "Tensor Days: news for Person1"),
        ("person2@example.org", "Tensor Days: news for Person2"),
    ]
    assert "Dear Person1 Lovelace,\nyour status: Confirmed." in mails[0].body_text
    assert "Dear Person2 Lovelace,\nyour status: On the waiting list." in mails[1].body_text
    assert regs[1].get_absolute_url() in mails[1].body_text


def test_email_selected_refuses_unknown_placeholders_and_names_the_known_ones(admin_client, conf):
    response = act(
        admin_client, "email_selected", [seat(conf, 1)], send="1", subject="Hello",
        body="Dear {frist_name},",
    )  # fmt: skip
    assert response.status_code == 200
    [error] = response.context["form"].errors["body"]
    assert error.startswith("Unknown placeholder {frist_name}. The placeholders are: {first_name}")
    assert OutgoingMail.objects.count() == 0


def test_email_selected_previews_and_sends_a_test_copy_to_the_organizer(admin_client, conf):
    regs = [seat(conf, 1), seat(conf, 2)]
    text = {"subject": "News for {first_name}", "body": "Dear {first_name},\nsee you."}
    preview = act(admin_client, "email_selected", regs, preview="1", **text)
    previews = preview.content.decode().split('data-testid="mail-preview"')[1:]
    assert len(previews) == 2 and "News for Person1" in previews[0]
    assert "Dear Person1,\nsee you." in previews[0] and OutgoingMail.objects.count() == 0

    test = act(admin_client, "email_selected", regs, test="1", **text)
    admin = test.wsgi_request.user
    [copy] = OutgoingMail.objects.all()
    assert (copy.to, copy.subject) == (admin.email, "[Test] News for Person1")
    assert f"on its way to {admin.email}" in " ".join(messages_of(test))


def test_a_mail_text_with_an_unknown_placeholder_is_refused():
    text = MailText(workshop=WorkshopFactory(), kind="confirmed", subject="Hi", body="{frist}")
    with pytest.raises(ValidationError) as error:
        text.full_clean()
    assert "Unknown placeholder {frist}" in error.value.message_dict["body"][0]


def test_email_selected_with_an_empty_subject_shows_the_form_again(admin_client, conf):
    response = act(
        admin_client, "email_selected", [seat(conf, 1)], send="Queue the mails", subject="",
        body="Hello",
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors == {"subject": ["This field is required."]}
    assert OutgoingMail.objects.count() == 0


# CSV export


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_has_every_field_and_answer(admin_client, conf):
    lunch = Question.objects.create(
        workshop=conf.workshop, label="Lunch", kind="choice", choices="Vegan\nAnything", order=1
    )
    why = Question.objects.create(workshop=conf.workshop, label="Why do you come?", order=2)
    coc = Question.objects.create(
        workshop=conf.workshop, label="=Code of conduct", kind="checkbox", order=3
    )
    registered = dt.datetime(2025, 5, 1, 7, 0, tzinfo=dt.UTC)
    ada = seat(
        conf, 1, first_name="Ada", affiliation="Inria", career_stage="phd",
        dietary_needs="Vegan", list_consent=True, created_at=registered,
        confirmed_at=registered, answers={str(lunch.pk): "Vegan", str(coc.pk): True},
    )  # fmt: skip
    evil = seat(
        conf, 2, Status.WAITLISTED, first_name="=HYPERLINK(\"http://evil.example\")",
        affiliation="+1 Corp", dietary_needs="@SUM(A1)",
        answers={str(why.pk): "-2+3", str(lunch.pk): "Anything"},
    )  # fmt: skip
    response = act(admin_client, "export_csv", [ada, evil])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="registrations-')
    header, *rows = read_csv(response)
    assert header == [*CSV_FIELDS, "Lunch", "Why do you come?", "'=Code of conduct"]
    first, second = (dict(zip(header, row, strict=True)) for row in rows)
    assert first == {
        "id": str(ada.pk), "workshop": "tensor-days", "first_name": "Ada",
        "last_name": "Lovelace", "email": "person1@example.org", "affiliation": "Inria",
        "career_stage": "phd", "dietary_needs": "Vegan", "list_consent": "True",
        "status": "confirmed", "registered_at": "2025-05-01T07:00:00+00:00",
        "waitlisted_at": "", "confirmed_at": "2025-05-01T07:00:00+00:00", "cancelled_at": "",
        "checkin_code": ada.checkin_code, "checked_in_at": "", "Lunch": "Vegan",
        "Why do you come?": "", "'=Code of conduct": "True",
    }  # fmt: skip
    assert (
        second["first_name"], second["affiliation"], second["dietary_needs"],
        second["Why do you come?"], second["Lunch"], second["status"],
    ) == (
        "'=HYPERLINK(\"http://evil.example\")", "'+1 Corp", "'@SUM(A1)", "'-2+3", "Anything",
        "waitlisted",
    )  # fmt: skip
    assert len(rows) == 2


def test_csv_export_of_several_workshops_names_each_question(client, conf, alice):
    other = RegistrationSettingsFactory(workshop__slug="other-days", workshop__organizers=[alice])
    Question.objects.create(workshop=conf.workshop, label="Lunch")
    Question.objects.create(workshop=other.workshop, label="Lunch")
    client.force_login(alice)
    response = act(client, "export_csv", [seat(conf, 1), seat(other, 2)])
    header, *rows = read_csv(response)
    assert header[len(CSV_FIELDS) :] == ["tensor-days: Lunch", "other-days: Lunch"]
    assert [row[1] for row in rows] == ["tensor-days", "other-days"]


# Another organizer


def test_another_organizer_cannot_see_or_act_on_these_registrations(client, conf, bob, bobs):
    regs = [seat(conf, 1), seat(conf, 2, Status.WAITLISTED)]
    client.force_login(bob)
    listing = client.get(reverse(CHANGELIST))
    assert list(listing.context["cl"].queryset) == [bobs]
    assert "person1@example.org" not in listing.content.decode()
    change = reverse("admin:registration_registration_change", args=[regs[0].pk])
    assert client.get(change).status_code == 302
    # The admin runs the action on the selection within bob's own rows: nothing.
    for action in ("cancel", "approve", "reject", "move_up", "resend_link"):
        assert act(client, action, regs).status_code == 302
    sent = act(client, "email_selected", regs, send="1", subject="Hi", body="Hi")
    assert messages_of(sent)[-1] == "0 mail(s) queued."
    assert read_csv(act(client, "export_csv", regs)) == [CSV_FIELDS]
    assert statuses(*regs) == [Status.CONFIRMED, Status.WAITLISTED]
    assert OutgoingMail.objects.count() == 0


def test_active_registrations_are_cancelled_not_deleted(admin_client, conf):
    active, cancelled = seat(conf, 1), seat(conf, 2, Status.CANCELLED)
    waiting = seat(conf, 3, Status.WAITLISTED)
    delete = reverse("admin:registration_registration_delete", args=[active.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    response = act(admin_client, "delete_selected", [active, cancelled], post="yes")
    assert response.status_code == 403
    assert statuses(active, waiting) == [Status.CONFIRMED, Status.WAITLISTED]
    response = act(admin_client, "delete_selected", [cancelled], post="yes")
    assert response.status_code == 302
    assert list(Registration.objects.order_by("pk")) == [active, waiting]


# Registration settings: capacity and the time zone


def settings_url(conf) -> str:
    return reverse("admin:registration_registrationsettings_change", args=[conf.pk])


def settings_form(conf, **changes) -> dict:
    """The change form as the organizer submits it, times typed in the workshop's zone."""
    tz = conf.workshop.tz
    data = {
        "capacity": conf.capacity if conf.capacity is not None else "",
        "waitlist_enabled": "on" if conf.waitlist_enabled else "",
        "ask_affiliation": conf.ask_affiliation,
        "ask_career_stage": conf.ask_career_stage,
        "ask_dietary": conf.ask_dietary,
        "ask_list_consent": "on",
        "reminder_days_before": 3,
    }
    for name in ("opens_at", "closes_at"):
        local = timezone.localtime(getattr(conf, name), tz)
        data[f"{name}_0"], data[f"{name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
    return {k: v for k, v in (data | changes).items() if v != ""}


def test_raising_capacity_promotes_as_many_as_now_fit(admin_client, conf):
    seat(conf, 1), seat(conf, 2)
    waiting = [seat(conf, n, Status.WAITLISTED) for n in (3, 4, 5)]
    response = admin_client.post(settings_url(conf), settings_form(conf, capacity=4))
    assert response.status_code == 302
    assert messages_of(response)[0] == "2 people moved up from the waiting list and were mailed."
    conf.refresh_from_db()
    assert conf.capacity == 4
    assert statuses(*waiting) == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED]
    assert mail_keys() == [f"registration-promoted:{r.pk}" for r in waiting[:2]]


def test_one_seat_more_moves_up_one_person_and_says_so_in_the_singular(admin_client, conf):
    seat(conf, 1), seat(conf, 2)
    waiting = seat(conf, 3, Status.WAITLISTED)
    response = admin_client.post(settings_url(conf), settings_form(conf, capacity=3))
    assert messages_of(response)[0] == "1 person moved up from the waiting list and was mailed."
    assert statuses(waiting) == [Status.CONFIRMED]


def test_unlimited_capacity_promotes_everyone(admin_client, conf):
    seat(conf, 1), seat(conf, 2)
    waiting = [seat(conf, n, Status.WAITLISTED) for n in (3, 4)]
    admin_client.post(settings_url(conf), settings_form(conf, capacity=""))
    conf.refresh_from_db()
    assert conf.capacity is None
    assert statuses(*waiting) == [Status.CONFIRMED, Status.CONFIRMED]


def test_lowering_capacity_below_confirmed_is_refused_and_saves_nothing(admin_client, conf):
    seat(conf, 1), seat(conf, 2)
    before = RegistrationSettings.objects.values().get(pk=conf.pk)
    response = admin_client.post(
        settings_url(conf), settings_form(conf, capacity=1, waitlist_enabled="", ask_dietary="off")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "capacity": [
            "2 people are confirmed already: the capacity cannot go below 2. "
            "Cancel registrations first."
        ]
    }
    assert RegistrationSettings.objects.values().get(pk=conf.pk) == before
    assert mail_keys() == []


def test_settings_datetimes_are_typed_in_the_workshops_zone(admin_client, conf):
    assert conf.workshop.time_zone == "Europe/Paris"
    response = admin_client.post(
        settings_url(conf),
        settings_form(
            conf, opens_at_0="2031-05-01", opens_at_1="09:00", closes_at_0="2031-05-10",
            closes_at_1="18:00",
        ),
    )  # fmt: skip
    assert response.status_code == 302
    conf.refresh_from_db()
    assert (conf.opens_at, conf.closes_at) == (
        dt.datetime(2031, 5, 1, 7, 0, tzinfo=dt.UTC),
        dt.datetime(2031, 5, 10, 16, 0, tzinfo=dt.UTC),
    )


def test_settings_datetimes_are_shown_in_the_workshops_zone(admin_client, conf):
    conf.opens_at = dt.datetime(2031, 5, 1, 7, 0, tzinfo=dt.UTC)
    conf.closes_at = dt.datetime(2031, 5, 10, 16, 0, tzinfo=dt.UTC)
    conf.save()
    page = admin_client.get(settings_url(conf)).content.decode()
    assert re.search(r'name="opens_at_1" value="09:00:00"', page)
    assert re.search(r'name="closes_at_1" value="18:00:00"', page)
    # Saving the form unchanged keeps the instants as they were.
    admin_client.post(settings_url(conf), settings_form(conf))
    conf.refresh_from_db()
    assert conf.opens_at == dt.datetime(2031, 5, 1, 7, 0, tzinfo=dt.UTC)
    listing = admin_client.get(reverse("admin:registration_registrationsettings_changelist"))
    assert "1 May 2031, 09:00" in listing.content.decode()


def test_new_settings_take_the_zone_of_the_chosen_workshop(admin_client, alice):
    workshop = WorkshopFactory(time_zone="Asia/Tokyo", organizers=[alice])
    response = admin_client.post(
        reverse("admin:registration_registrationsettings_add"),
        {
            "workshop": workshop.pk, "opens_at_0": "2031-05-01", "opens_at_1": "09:00",
            "capacity": 30, "waitlist_enabled": "on", "ask_affiliation": "required",
            "ask_career_stage": "optional", "ask_dietary": "optional",
        },
    )  # fmt: skip
    assert response.status_code == 302
    conf = RegistrationSettings.objects.get(workshop=workshop)
    assert conf.opens_at == dt.datetime(2031, 5, 1, 0, 0, tzinfo=dt.UTC)


def test_another_organizer_cannot_change_the_settings(client, conf, bob):
    client.force_login(bob)
    assert client.get(settings_url(conf)).status_code == 302
    client.post(settings_url(conf), settings_form(conf, capacity=50))
    conf.refresh_from_db()
    assert conf.capacity == 2


# The workshop list


def seats_column(response) -> dict[str, tuple[str, str]]:
    page = response.content.decode()
    rows = re.findall(
        r'<th class="field-title"><a [^>]*>([^<]+)</a></th>.*?'
        r'<td class="field-seats">([^<]*)</td><td class="field-waiting">([^<]*)</td>',
        page,
        re.S,
    )
    return {title: (seats, waiting) for title, seats, waiting in rows}


def test_workshop_list_shows_confirmed_capacity_and_waiting(admin_client, conf, alice):
    seat(conf, 1), seat(conf, 2), seat(conf, 3, Status.CANCELLED)
    seat(conf, 4, Status.WAITLISTED), seat(conf, 5, Status.PENDING)
    unlimited = RegistrationSettingsFactory(
        capacity=None, workshop__title="Open Days", workshop__organizers=[alice]
    )
    seat(unlimited, 6)
    WorkshopFactory(title="No Registration Days", organizers=[alice])
    response = admin_client.get(reverse("admin:workshops_workshop_changelist"))
    assert seats_column(response) == {
        "Tensor Days": ("2 / 2", "1"),
        "Open Days": ("1 / ∞", "0"),
        "No Registration Days": ("—", "0"),
    }


def test_workshop_list_query_count_does_not_grow_with_workshops(
    admin_client, alice, django_assert_max_num_queries
):
    def add_workshops(count: int) -> None:
        for _ in range(count):
            conf = RegistrationSettingsFactory(workshop__organizers=[alice])
            seat(conf, 1), seat(conf, 2, Status.WAITLISTED)

    url = reverse("admin:workshops_workshop_changelist")
    add_workshops(1)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    add_workshops(9)
    with django_assert_max_num_queries(len(few)):
        response = admin_client.get(url)
    assert len(seats_column(response)) == 10
    assert set(seats_column(response).values()) == {("1 / 3", "1")}
    assert Workshop.objects.count() == 10


def test_the_workshops_admin_page_links_its_registrations_and_check_in_desk(client, conf):
    organizer = OrganizerFactory()
    conf.workshop.organizers.add(organizer)
    client.force_login(organizer)
    page = client.get(
        reverse("admin:workshops_workshop_change", args=[conf.workshop.pk])
    ).content.decode()
    tools = page.split('class="object-tools"')[1].split("</ul>")[0]
    checkin = reverse("registration:checkin", args=[conf.workshop.slug])
    assert f'href="{checkin}">Check-in desk</a>' in tools
    assert f"?workshop__id__exact={conf.workshop.pk}" in tools and "Schedule grid" in tools
    assert client.get(checkin).status_code == 200  # a link it may follow
