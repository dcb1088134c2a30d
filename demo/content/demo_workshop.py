"""The fictional upcoming workshop: everything in it is invented, and says so."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format

from demo.upsert import (
    DateData,
    Kind,
    Person,
    Role,
    Slot,
    TopicData,
    hours,
    set_key_dates,
    set_rooms,
    set_schedule,
    set_speakers,
    set_team,
    set_topics,
    talk,
    upsert_workshop,
)
from workshops.models import (
    Workshop,
)

DEMO_SPEAKERS = (
    Person("Ada Example", "University of Exampleton (fictional)", "https://example.org/ada/"),
    Person("Bruno Placeholder", "Institute of Samples (fictional)", "https://example.org/bruno/"),
    Person("Chiara Sample", "University of Exampleton (fictional)", "https://example.org/chiara/"),
    Person("Dmitri Mock", "Demo Research Lab (fictional)", "https://example.org/dmitri/"),
)


TUESDAY = 1  # as in date.weekday()


DEMO_ROOMS = (("Amphitheatre A", 120), ("Room B", 40))


DEMO_SCHEDULE = (
    Slot(Kind.REGISTRATION, "Registration", day=0, start="08:30", end="09:00"),
    Slot(Kind.OPENING, "Opening remarks", day=0, start="09:00", end="09:15"),
    Slot(
        Kind.KEYNOTE,
        "Why low rank? A demo keynote",
        speakers=("Ada Example",),
        day=0,
        start="09:15",
        end="10:15",
        abstract="A fictional keynote abstract, here to show how abstracts look (demo data).",
        room="Amphitheatre A",
    ),
    Slot(Kind.BREAK, "Coffee break", day=0, start="10:15", end="10:45"),
    talk(
        "Bruno Placeholder",
        "Sparse recovery in five minutes (demo talk)",
        day=0,
        start="10:45",
        end="11:30",
        room="Amphitheatre A",
    ),
    talk(
        "Chiara Sample",
        "Tensor sketches for the impatient (demo talk)",
        day=0,
        start="10:45",
        end="11:30",
        room="Room B",
    ),
    Slot(Kind.MEAL, "Lunch break", day=0, start="12:30", end="14:00"),
    Slot(Kind.SPOTLIGHT, "Poster spotlights", day=0, start="14:00", end="14:30"),
    Slot(Kind.POSTER_SESSION, "Poster session", day=0, start="14:30", end="16:00"),
    Slot(Kind.SOCIAL, "Workshop dinner", day=0, start="19:00", end="21:30"),
    Slot(Kind.BREAK, "Welcome coffee", day=1, start="09:00", end="09:30"),
    talk(
        "Dmitri Mock",
        "Low-rank adapters, explained with toy data (demo talk)",
        day=1,
        start="09:30",
        end="10:15",
        room="Amphitheatre A",
    ),
    Slot(Kind.TUTORIAL, "Hands-on tutorial (demo)", day=1, start="10:30", end="12:00"),
    Slot(Kind.CLOSING, "Closing remarks", day=1, start="12:00", end="12:15"),
    talk("Ada Example", "A talk still looking for its slot (demo talk)", duration=hours(0.5)),
)


DEMO_TOPICS = (
    TopicData(
        "Sparse models",
        "Compressed sensing and sparse coding (demo topic).",
        subtopics=(TopicData("Dictionary learning", "Learning the basis from data."),),
    ),
    TopicData(
        "Low-rank models",
        "Matrix and tensor factorizations (demo topic).",
        subtopics=(TopicData("Low-rank adapters", "Fine-tuning large models cheaply."),),
    ),
    TopicData("Theory of deep learning", "Optimization and generalization (demo topic)."),
)


DEMO_TEAM = (
    Person("Alex Organizer", "University of Exampleton (fictional)", role="Chair"),
    Person("Sam Helper", "Demo Research Lab (fictional)", "https://example.org/sam/"),
)


def demo_start_date(today: dt.date) -> dt.date:
    """Return the first Tuesday at least 45 days after today."""
    earliest = today + dt.timedelta(days=45)
    return earliest + dt.timedelta(days=(TUESDAY - earliest.weekday()) % 7)


DEMO_SLUG = "demo-workshop"


def load_demo_workshop(*, today: dt.date) -> Workshop:
    """Upsert the fictional upcoming workshop, its dates recomputed from today."""
    start = demo_start_date(today)
    workshop = upsert_workshop(
        slug=DEMO_SLUG,
        title="Demo Workshop on Sparse and Low-Rank Models (demo data)",
        short_title="Demo Workshop",
        tagline="Demo data: a fictional workshop to try every flow of the platform.",
        description=(
            "Everything about this workshop is invented: it exists so that you can try the "
            "public pages and the admin with realistic content. Its dates (the workshop's, the "
            "call's, the registration's) were set relative to the day the demo was created, "
            f"{date_format(today, 'j F Y')}; they stay as they are until the demo is reset."
        ),
        start_date=start,
        end_date=start + dt.timedelta(days=1),
        time_zone="Europe/Paris",
        venue_name="Example Conference Centre (fictional)",
        venue_address="1 Example Street",
        city="Exampleton",
        attendance_note="in person",
        registration_note="Registration is free (demo data).",
        speakers_note="More demo speakers may be announced.",
        contact_email="demo-workshop@example.org",
        schedule_status=Workshop.ScheduleStatus.TENTATIVE,
    )
    set_key_dates(
        workshop,
        [
            # The call's dates and the registration's come from their settings
            # (demo_call.py, load.open_demo_registration), shown by the page as key dates.
            DateData("Workshop dates", start, start + dt.timedelta(days=1)),
            DateData("Slides due"),
        ],
    )
    set_topics(workshop, DEMO_TOPICS)
    set_team(workshop, DEMO_TEAM)
    rooms = set_rooms(workshop, DEMO_ROOMS)
    speakers = set_speakers(workshop, DEMO_SPEAKERS, role=Role.INVITED)
    set_schedule(workshop, DEMO_SCHEDULE, speakers=speakers, rooms=rooms)
    return workshop
