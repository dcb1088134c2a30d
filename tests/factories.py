import datetime as dt

import factory
from django.utils import timezone

from accounts.models import User
from schedule import rendering, services
from schedule.models import Room, ScheduleItem
from workshops.models import KeyDate, SpeakerAppearance, SpeakerProfile, TeamMember, Topic, Workshop


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password("pw-secret-123")


class OrganizerFactory(UserFactory):
    is_staff = True


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Workshop on Low-Rank Structure {n}")
    slug = factory.Sequence(lambda n: f"workshop-{n}")
    time_zone = "Europe/Paris"
    start_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=1))
    venue_name = "IDMC"
    city = "Nancy"
    contact_email = "contact@example.org"
    published = True

    @factory.post_generation
    def organizers(self, create, extracted, **kwargs):
        if create and extracted:
            self.organizers.add(*extracted)


class SpeakerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpeakerProfile

    name = factory.Faker("name")
    affiliation = factory.Faker("company")
    homepage = factory.Sequence(lambda n: f"https://people.example.org/{n}/")


class SpeakerAppearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpeakerAppearance

    workshop = factory.SubFactory(WorkshopFactory)
    speaker = factory.SubFactory(SpeakerProfileFactory)
    role = SpeakerAppearance.Role.INVITED
    confirmed = True


class KeyDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyDate

    workshop = factory.SubFactory(WorkshopFactory)
    label = "Abstract submission deadline"
    date = None


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Faker("name")
    affiliation = "Université de Lorraine"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class ScheduleItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleItem
        skip_postgeneration_save = True

    workshop = factory.SubFactory(WorkshopFactory)
    kind = ScheduleItem.Kind.TALK
    title = factory.Sequence(lambda n: f"Talk {n}")
    start = factory.LazyAttribute(
        lambda o: o.workshop.local_datetime(o.workshop.start_date, dt.time(9, 0))
    )
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(minutes=30))

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        if create and extracted:
            self.speakers.add(*extracted)


class RegistrationSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registration.RegistrationSettings"

    workshop = factory.SubFactory(WorkshopFactory)
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    capacity = 3
    waitlist_enabled = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registration.Registration"

    workshop = factory.SubFactory(WorkshopFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"attendee{n}@example.org")
    affiliation = "Université de Lorraine"
    status = "confirmed"


def release_schedule(workshop: Workshop, *, version: str = "", status: str = "", render=True):
    """Publish the workshop's placed items as a release (the public sees releases only), and
    render it as the worker does once the release is committed (tests never commit)."""
    workshop.refresh_from_db()
    taken = set(workshop.releases.values_list("version", flat=True))
    version = version or next(f"r{n}" for n in range(1, len(taken) + 2) if f"r{n}" not in taken)
    release = services.publish_schedule(
        workshop=workshop,
        version=version,
        status=status
        or (workshop.schedule_status if workshop.schedule_status != "hidden" else "tentative"),
        notify=False,
    )
    if render:
        rendering.render_current_release(workshop.pk)
    workshop.refresh_from_db()
    return release
