"""Conflict checks: each rule, what is not a conflict, and a constant number of queries."""

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from schedule.conflicts import Conflict, conflicts_for_item, find_conflicts
from schedule.models import ScheduleItem
from tests.factories import (
    RoomFactory,
    ScheduleItemFactory,
    SpeakerProfileFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop():
    return WorkshopFactory(
        time_zone="Europe/Paris", start_date=dt.date(2030, 3, 4), end_date=dt.date(2030, 3, 5)
    )


def at(workshop, hhmm: str, day: int = 0) -> dt.datetime:
    """Return the aware time ``hhmm`` on the workshop's day number ``day`` (0 = first)."""
    hours, minutes = map(int, hhmm.split(":"))
    return workshop.local_datetime(
        workshop.start_date + dt.timedelta(days=day), dt.time(hours, minutes)
    )


def item(workshop, start: str, end: str, *, day: int = 0, **kwargs) -> ScheduleItem:
    return ScheduleItemFactory(
        workshop=workshop, start=at(workshop, start, day), end=at(workshop, end, day), **kwargs
    )


def kinds_and_ids(conflicts: list[Conflict]) -> list[tuple[str, tuple[int, ...]]]:
    return [(c.kind, c.item_ids) for c in conflicts]


def test_overlap_in_one_room_is_a_conflict(workshop):
    room = RoomFactory(workshop=workshop, name="Amphi Gilles Kahn")
    first = item(workshop, "09:00", "09:30", room=room, title="On tensors")
    second = item(workshop, "09:15", "09:45", room=room, title="On matrices")

    conflicts = find_conflicts(workshop)

    assert kinds_and_ids(conflicts) == [("room", (first.pk, second.pk))]
    assert conflicts[0].message == (
        "“On tensors” and “On matrices” overlap in Amphi Gilles Kahn (Mon 4 March, 09:15–09:30)."
    )


def test_back_to_back_items_in_one_room_do_not_conflict(workshop):
    room = RoomFactory(workshop=workshop)
    item(workshop, "09:00", "09:30", room=room)
    item(workshop, "09:30", "10:00", room=room)

    assert find_conflicts(workshop) == []


def test_items_in_different_rooms_at_the_same_time_do_not_conflict(workshop):
    item(workshop, "09:00", "10:00", room=RoomFactory(workshop=workshop))
    item(workshop, "09:00", "10:00", room=RoomFactory(workshop=workshop))

    assert find_conflicts(workshop) == []


def test_a_break_without_room_overlapping_a_talk_in_any_room_is_a_conflict(workshop):
    talk = item(workshop, "10:00", "10:45", room=RoomFactory(workshop=workshop, name="B"))
    coffee = item(workshop, "10:30", "11:00", kind="break", title="Coffee", room=None)

    conflicts = find_conflicts(workshop)

    assert kinds_and_ids(conflicts) == [("plenary", (talk.pk, coffee.pk))]
    assert "“Coffee” is for all rooms but “" in conflicts[0].message
    assert "in B at the same time (Mon 4 March, 10:30–10:45)" in conflicts[0].message


def test_two_items_without_room_at_the_same_time_conflict(workshop):
    opening = item(workshop, "09:00", "09:30", kind="opening", room=None)
    keynote = item(workshop, "09:15", "10:15", kind="keynote", room=None)

    assert kinds_and_ids(find_conflicts(workshop)) == [("plenary", (opening.pk, keynote.pk))]


def test_a_break_between_parallel_sessions_is_fine(workshop):
    a, b = RoomFactory(workshop=workshop), RoomFactory(workshop=workshop)
    item(workshop, "09:00", "10:30", room=a)
    item(workshop, "09:00", "10:30", room=b)
    item(workshop, "10:30", "11:00", kind="break", room=None)
    item(workshop, "11:00", "12:00", room=a)
    item(workshop, "11:00", "12:30", room=b)

    assert find_conflicts(workshop) == []


def test_a_speaker_in_two_places_at_once_is_a_conflict(workshop):
    ada = SpeakerProfileFactory(name="Ada Lovelace")
    a, b = RoomFactory(workshop=workshop), RoomFactory(workshop=workshop)
    first = item(workshop, "14:00", "15:00", room=a, title="Engines", speakers=[ada], day=1)
    second = item(workshop, "14:30", "15:30", room=b, title="Looms", speakers=[ada], day=1)
    item(workshop, "14:30", "15:30", room=a, speakers=[SpeakerProfileFactory()], day=1)

    conflicts = [c for c in find_conflicts(workshop) if c.kind == "speaker"]

    assert kinds_and_ids(conflicts) == [("speaker", (first.pk, second.pk))]
    assert conflicts[0].message == (
        "Ada Lovelace is in “Engines” and “Looms” at once (Tue 5 March, 14:30–15:00)."
    )


def test_a_speaker_with_back_to_back_talks_is_fine(workshop):
    ada = SpeakerProfileFactory()
    a, b = RoomFactory(workshop=workshop), RoomFactory(workshop=workshop)
    item(workshop, "14:00", "15:00", room=a, speakers=[ada])
    item(workshop, "15:00", "16:00", room=b, speakers=[ada])

    assert find_conflicts(workshop) == []


def test_items_outside_the_workshop_dates_are_conflicts(workshop):
    before = item(workshop, "16:00", "17:00", day=-1, title="Early bird")
    after = item(workshop, "09:00", "10:00", day=2)
    item(workshop, "09:00", "10:00", day=0)
    item(workshop, "17:00", "18:00", day=1)

    conflicts = find_conflicts(workshop)

    assert kinds_and_ids(conflicts) == [("dates", (before.pk,)), ("dates", (after.pk,))]
    assert conflicts[0].message == (
        "“Early bird” (Sun 3 March, 16:00–17:00) is outside the workshop's dates (4–5 March 2030)."
    )


def test_dates_are_compared_in_the_workshop_time_zone(workshop):
    # 23:30 UTC on 3 March is 00:30 on 4 March in Paris: inside the workshop.
    utc = dt.UTC
    ScheduleItemFactory(
        workshop=workshop,
        start=dt.datetime(2030, 3, 3, 23, 30, tzinfo=utc),
        end=dt.datetime(2030, 3, 4, 0, 30, tzinfo=utc),
    )
    # A dinner from 22:00 to midnight on the last day ends on the last day.
    ScheduleItemFactory(
        workshop=workshop, start=at(workshop, "22:00", day=1), end=at(workshop, "00:00", day=2)
    )
    assert find_conflicts(workshop) == []

    # 22:30 UTC on 5 March is 23:30 in Paris, still the last day; 23:30 UTC is not.
    late = ScheduleItemFactory(
        workshop=workshop,
        start=dt.datetime(2030, 3, 5, 23, 30, tzinfo=utc),
        end=dt.datetime(2030, 3, 6, 0, 0, tzinfo=utc),
    )
    assert kinds_and_ids(find_conflicts(workshop)) == [("dates", (late.pk,))]


def test_a_workshop_without_dates_has_no_date_conflicts(workshop):
    item(workshop, "09:00", "10:00", day=10)
    workshop.start_date = workshop.end_date = None

    assert find_conflicts(workshop) == []


def test_unplaced_items_have_no_conflicts(workshop):
    ada = SpeakerProfileFactory()
    item(workshop, "09:00", "10:00", speakers=[ada], room=None)
    ScheduleItemFactory(workshop=workshop, start=None, end=None, speakers=[ada], room=None)

    assert find_conflicts(workshop) == []


def test_conflicts_for_item_lists_only_its_own(workshop):
    room = RoomFactory(workshop=workshop)
    a = item(workshop, "09:00", "10:00", room=room)
    b = item(workshop, "09:30", "10:30", room=room)
    c = item(workshop, "11:00", "12:00", room=room)
    d = item(workshop, "11:30", "12:30", room=room)

    assert kinds_and_ids(conflicts_for_item(a)) == [("room", (a.pk, b.pk))]
    assert kinds_and_ids(conflicts_for_item(d)) == [("room", (c.pk, d.pk))]


def test_other_workshops_items_are_not_considered(workshop):
    room = RoomFactory(workshop=workshop)
    item(workshop, "09:00", "10:00", room=room)
    other = WorkshopFactory(start_date=workshop.start_date, end_date=workshop.end_date)
    item(other, "09:00", "10:00", room=None)

    assert find_conflicts(workshop) == []


def test_an_item_ending_before_it_starts_is_refused(workshop):
    bad = ScheduleItem(workshop=workshop, start=at(workshop, "10:00"), end=at(workshop, "09:00"))
    with pytest.raises(ValidationError) as refused:
        bad.full_clean()
    assert refused.value.message_dict["end"] == ["An item must end after it starts."]

    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()


def build_schedule(workshop, n: int) -> None:
    rooms = [RoomFactory(workshop=workshop) for _ in range(3)]
    speakers = [SpeakerProfileFactory() for _ in range(5)]
    for i in range(n):
        start = at(workshop, "08:00") + dt.timedelta(minutes=20 * i)
        ScheduleItemFactory(
            workshop=workshop,
            start=start,
            end=start + dt.timedelta(minutes=45),
            room=rooms[i % 4] if i % 4 < 3 else None,
            speakers=[speakers[i % 5], speakers[(i + 2) % 5]],
        )


def count_queries(workshop) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        conflicts = find_conflicts(workshop)
    return len(queries), len(conflicts)


def test_find_conflicts_runs_a_constant_number_of_queries():
    small, large = WorkshopFactory(), WorkshopFactory()
    build_schedule(small, 10)
    build_schedule(large, 100)

    small_queries, small_conflicts = count_queries(small)
    large_queries, large_conflicts = count_queries(large)

    assert small_queries == large_queries == 3  # items with rooms, their speakers, availability
    assert 0 < small_conflicts < large_conflicts


def brute_force(items: list[ScheduleItem]) -> set[tuple[str, tuple[int, ...]]]:
    """The rules, checked pair by pair: what the sweep must agree with."""
    found = set()
    placed = sorted((i for i in items if i.start), key=lambda i: (i.start, i.end, i.pk))
    for x, first in enumerate(placed):
        for second in placed[x + 1 :]:
            if not (first.start < second.end and second.start < first.end):
                continue
            pair = (first.pk, second.pk)
            if first.room_id is None or second.room_id is None:
                found.add(("plenary", pair))
            elif first.room_id == second.room_id:
                found.add(("room", pair))
            if {s.pk for s in first.speakers.all()} & {s.pk for s in second.speakers.all()}:
                found.add(("speaker", pair))
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sweep_finds_exactly_the_overlapping_pairs(workshop, seed):
    rng = random.Random(seed)
    rooms = [RoomFactory(workshop=workshop) for _ in range(3)] + [None]
    speakers = [SpeakerProfileFactory() for _ in range(4)]
    for _ in range(30):
        start = at(workshop, "08:00") + dt.timedelta(minutes=15 * rng.randrange(40))
        ScheduleItemFactory(
            workshop=workshop,
            start=start,
            end=start + dt.timedelta(minutes=15 * rng.randrange(1, 6)),
            room=rng.choice(rooms),
            speakers=rng.sample(speakers, rng.randrange(0, 2)),
        )
    items = list(ScheduleItem.objects.filter(workshop=workshop).prefetch_related("speakers"))

    found = {(c.kind, c.item_ids) for c in find_conflicts(workshop)}

    assert found == brute_force(items)
    assert len(found) == len(find_conflicts(workshop))  # each pair reported once per rule
