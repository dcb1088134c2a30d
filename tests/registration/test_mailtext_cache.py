"""The workshop's own mail texts come from the cache, and every change shows in the next mail."""

import pytest
from django.core.cache import cache
from django.core.cache.backends.dummy import DummyCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outbox.models import OutgoingMail
from registration import mailtext_cache, services
from registration.models import MailText
from registration.services import RegistrationData
from tests.factories import RegistrationSettingsFactory

pytestmark = pytest.mark.django_db


def register(conf, n: int):
    return services.register_attendee(
        workshop=conf.workshop,
        data=RegistrationData(first_name=f"Ada{n}", last_name="Byron", email=f"b{n}@x.org"),
    )


def subject_of(registration) -> str:
    return OutgoingMail.objects.get(key=f"registration-confirmed:{registration.pk}").subject


def mailtext_queries(queries) -> list[str]:
    table = MailText._meta.db_table
    return [q["sql"] for q in queries.captured_queries if table in q["sql"]]


def test_a_warm_sign_up_reads_no_mail_text_from_the_database():
    conf = RegistrationSettingsFactory(capacity=5)
    MailText.objects.create(workshop=conf.workshop, kind="confirmed", subject="Hi {first_name}")
    register(conf, 1)
    with CaptureQueriesContext(connection) as queries:
        second = register(conf, 2)
    assert mailtext_queries(queries) == []
    assert subject_of(second) == "Hi Ada2"


def test_editing_adding_and_deleting_a_text_shows_in_the_next_mail():
    conf = RegistrationSettingsFactory(capacity=5)
    assert subject_of(register(conf, 1)) == f"Your seat at {conf.workshop.title} is confirmed"
    text = MailText.objects.create(
        workshop=conf.workshop, kind="confirmed", subject="A {last_name}"
    )
    assert subject_of(register(conf, 2)) == "A Byron"
    text.subject = "B {first_name}"
    text.save()
    assert subject_of(register(conf, 3)) == "B Ada3"
    text.delete()
    assert subject_of(register(conf, 4)) == f"Your seat at {conf.workshop.title} is confirmed"


def test_texts_stored_by_a_reader_that_raced_a_change_are_never_served():
    """A reader that read the rows before a change committed stores them under the token it
    read first; the change replaced that token, so the next reader goes to the database."""
    conf = RegistrationSettingsFactory(capacity=5)
    pk = conf.workshop.pk
    mailtext_cache.workshop_texts(pk)  # a token exists
    stale_token = cache.get(mailtext_cache.TOKENS.key(pk))
    MailText.objects.create(workshop=conf.workshop, kind="confirmed", subject="New")
    cache.set(mailtext_cache._texts_key(pk), (stale_token, {}))  # the racing reader's store
    assert mailtext_cache.workshop_texts(pk) == {"confirmed": ("New", "")}


def test_other_workshops_keep_their_own_texts():
    one, two = RegistrationSettingsFactory(capacity=5), RegistrationSettingsFactory(capacity=5)
    MailText.objects.create(workshop=one.workshop, kind="confirmed", subject="One {first_name}")
    assert subject_of(register(one, 1)) == "One Ada1"
    assert subject_of(register(two, 2)) == f"Your seat at {two.workshop.title} is confirmed"


def test_without_a_cache_the_texts_come_from_the_database(monkeypatch):
    # What config/redis_cache.py makes of a Redis that is down: a cache that keeps nothing.
    monkeypatch.setattr(mailtext_cache, "cache", DummyCache("", {}))
    conf = RegistrationSettingsFactory(capacity=5)
    MailText.objects.create(workshop=conf.workshop, kind="confirmed", subject="Dummy {first_name}")
    assert subject_of(register(conf, 1)) == "Dummy Ada1"
