"""Registration rules: seats, waiting list order, approval, capacity, check-in, reminders."""

import datetime as dt

import pytest
from django.utils import timezone

from outbox.models import OutgoingMail
from registration import arrivals, outreach, services
from registration.models import Registration
from registration.services import RegistrationData
from tests.factories import RegistrationSettingsFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def person(n: int, **extra) -> RegistrationData:
    return RegistrationData(
        first_name=f"Ada{n}", last_name="Lovelace", email=f"ada{n}@example.org", **extra
    )


def register(conf, n: int, **kwargs) -> Registration:
    return services.register_attendee(workshop=conf.workshop, data=person(n), **kwargs)


def mail_keys() -> list[str]:
    return list(OutgoingMail.objects.order_by("pk").values_list("key", flat=True))


@pytest.fixture
def conf():
    return RegistrationSettingsFactory(capacity=2)


def test_register_confirms_then_waitlists_when_full(conf):
    regs = [register(conf, n) for n in range(4)]
    assert [r.status for r in regs] == [Status.CONFIRMED, Status.CONFIRMED] + [
        Status.WAITLISTED
    ] * 2
    assert mail_keys() == [
        f"registration-confirmed:{regs[0].pk}",
        f"registration-confirmed:{regs[1].pk}",
        f"registration-waitlisted:{regs[2].pk}",
        f"registration-waitlisted:{regs[3].pk}",
    ]
    waitlisted_mail = OutgoingMail.objects.get(key=f"registration-waitlisted:{regs[3].pk}")
    assert "position 2" in waitlisted_mail.body_text


def test_full_without_waitlist_refuses_and_saves_nothing(conf):
    conf.waitlist_enabled = False
    conf.save()
    register(conf, 1), register(conf, 2)
    with pytest.raises(services.WorkshopFull):
        register(conf, 3)
    assert Registration.objects.count() == 2
    assert OutgoingMail.objects.count() == 2


def test_same_email_any_case_is_already_registered(conf):
    first = register(conf, 1)
    with pytest.raises(services.AlreadyRegistered) as exc:
        services.register_attendee(
            workshop=conf.workshop,
            data=RegistrationData(first_name="A", last_name="L", email="  ADA1@Example.ORG "),
        )
    assert exc.value.registration == first
    assert Registration.objects.count() == 1


def test_email_may_register_again_after_cancelling(conf):
    first = register(conf, 1)
    services.cancel_registration(registration=first)
    second = register(conf, 1)
    assert second.status == Status.CONFIRMED
    assert Registration.objects.with_email("ada1@example.org").count() == 2


def test_window_is_enforced_on_the_server(conf):
    conf.opens_at = dt.datetime(2031, 5, 1, 9, 0, tzinfo=conf.workshop.tz)
    conf.closes_at = dt.datetime(2031, 5, 10, 18, 0, tzinfo=conf.workshop.tz)
    conf.save()
    just_before = dt.datetime(2031, 5, 1, 8, 59, 59, tzinfo=conf.workshop.tz)
    with pytest.raises(services.RegistrationNotOpen, match=r"opens on 1 May 2031 at 09:00"):
        register(conf, 1, now=just_before)
    assert register(conf, 2, now=conf.opens_at).status == Status.CONFIRMED
    with pytest.raises(services.RegistrationClosed):
        register(conf, 3, now=conf.closes_at)
    assert Registration.objects.count() == 1


def test_cancelling_a_seat_promotes_the_first_waiting_person(conf):
    a, b, c, d = (register(conf, n) for n in range(4))
    promoted = services.cancel_registration(registration=a)
    assert promoted == [c]
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "cancelled", b.pk: "confirmed", c.pk: "confirmed", d.pk: "waitlisted"}
    assert f"registration-promoted:{c.pk}" in mail_keys()
    assert f"registration-cancelled:{a.pk}" in mail_keys()


def test_cancelling_a_waiting_person_promotes_nobody(conf):
    _, _, c, d = (register(conf, n) for n in range(4))
    assert services.cancel_registration(registration=c) == []
    assert Registration.objects.get(pk=d.pk).status == Status.WAITLISTED


def test_cancelling_twice_is_refused(conf):
    a = register(conf, 1)
    services.cancel_registration(registration=a)
    with pytest.raises(services.InvalidTransition):
        services.cancel_registration(registration=a)


def test_raising_capacity_promotes_as_many_as_fit_in_order(conf):
    regs = [register(conf, n) for n in range(6)]
    promoted = services.set_capacity(workshop=conf.workshop, capacity=4)
    assert promoted == regs[2:4]
    assert list(Registration.objects.waitlisted()) == regs[4:]


def test_unlimited_capacity_promotes_everyone(conf):
    regs = [register(conf, n) for n in range(4)]
    assert services.set_capacity(workshop=conf.workshop, capacity=None) == regs[2:]


def test_lowering_capacity_below_confirmed_is_refused(conf):
    register(conf, 1), register(conf, 2)
    with pytest.raises(services.CapacityBelowConfirmed, match="2 people are confirmed"):
        services.set_capacity(workshop=conf.workshop, capacity=1)
    conf.refresh_from_db()
    assert conf.capacity == 2


def test_approval_holds_then_confirms_or_waitlists(conf):
    conf.requires_approval = True
    conf.save()
    regs = [register(conf, n) for n in range(3)]
    assert {r.status for r in regs} == {Status.PENDING}
    for r in regs:
        services.approve_registration(registration=r)
    assert [Registration.objects.get(pk=r.pk).status for r in regs] == [
        "confirmed", "confirmed", "waitlisted",
    ]  # fmt: skip
    with pytest.raises(services.InvalidTransition):
        services.approve_registration(registration=regs[0])


def test_reject_only_pending(conf):
    conf.requires_approval = True
    conf.save()
    r = register(conf, 1)
    services.reject_registration(registration=r)
    assert Registration.objects.get(pk=r.pk).status == Status.REJECTED
    assert f"registration-rejected:{r.pk}" in mail_keys()


def test_move_from_waitlist_needs_a_free_seat(conf):
    _, _, c, _ = (register(conf, n) for n in range(4))
    with pytest.raises(services.WorkshopFull):
        services.move_from_waitlist(registration=c)
    conf.capacity = 10  # bypassing set_capacity: no automatic promotion happened
    conf.save()
    services.move_from_waitlist(registration=c)
    assert Registration.objects.get(pk=c.pk).status == Status.CONFIRMED


def test_check_in_accepts_once_and_refuses_the_rest(conf):
    a, _, c = (register(conf, n) for n in range(3))
    code = a.checkin_code
    assert arrivals.check_in(workshop=conf.workshop, code=code.lower()).pk == a.pk
    with pytest.raises(arrivals.CheckInRefused, match="already checked in"):
        arrivals.check_in(workshop=conf.workshop, code=code)
    with pytest.raises(arrivals.CheckInRefused, match="Unknown code"):
        arrivals.check_in(workshop=conf.workshop, code="NOPE")
    with pytest.raises(arrivals.CheckInRefused, match="not confirmed"):
        arrivals.check_in(workshop=conf.workshop, code=c.checkin_code)
    other = RegistrationSettingsFactory()
    with pytest.raises(arrivals.CheckInRefused, match="Unknown code"):
        arrivals.check_in(workshop=other.workshop, code=code)
    services.cancel_registration(registration=a)
    with pytest.raises(arrivals.CheckInRefused, match="cancelled"):
        arrivals.check_in(workshop=conf.workshop, code=code)


def test_reminders_go_once_to_confirmed_attendees():
    workshop = WorkshopFactory(start_date=timezone.localdate() + dt.timedelta(days=2))
    conf = RegistrationSettingsFactory(workshop=workshop, capacity=1, reminder_days_before=3)
    a, b = register(conf, 1), register(conf, 2)
    assert outreach.send_due_reminders() == 1
    assert outreach.send_due_reminders() == 0
    keys = mail_keys()
    assert f"registration-reminder:{a.pk}" in keys
    assert f"registration-reminder:{b.pk}" not in keys


def test_reminders_wait_until_n_days_before():
    workshop = WorkshopFactory(start_date=timezone.localdate() + dt.timedelta(days=10))
    conf = RegistrationSettingsFactory(workshop=workshop, reminder_days_before=3)
    register(conf, 1)
    assert outreach.send_due_reminders() == 0


def test_email_registrations_fills_placeholders(conf):
    a = register(conf, 1)
    count = outreach.email_registrations(
        registrations=Registration.objects.filter(pk=a.pk),
        subject="News for {first_name}",
        body="Hello {first_name}, about {workshop}. {unknown} {0} {first_name.__class__}",
    )
    assert count == 1
    mail = OutgoingMail.objects.get(key__startswith="registration-message:")
    assert mail.subject == "News for Ada1"
    assert f"Hello Ada1, about {conf.workshop.title}. {{unknown}} {{0}}" in mail.body_text
    assert "{first_name.__class__}" in mail.body_text
