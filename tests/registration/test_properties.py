"""Any sequence of sign-ups, cancellations, approvals and capacity changes keeps the rules.

A Hypothesis state machine drives the real services and keeps a small model of what should
have happened (who holds which status, who queues in which order); after every step the
database must agree with the model, and the seat rules are checked on the database alone.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from outbox.models import OutgoingMail
from registration import services
from registration.models import Registration
from registration.services import RegistrationData
from tests.factories import RegistrationSettingsFactory

Status = Registration.Status
ACTIVE = {Status.PENDING, Status.CONFIRMED, Status.WAITLISTED}

# Few seats and few people: the workshop fills up, the same address comes back.
capacities = st.sampled_from([1, 2, 0, 3, None])
people = st.integers(min_value=0, max_value=7)


class RegistrationRules(RuleBasedStateMachine):
    registrations = Bundle("registrations")

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint rolled back in teardown(): a clean slate every time.
        self._example = transaction.atomic()
        self._example.__enter__()
        self.status: dict[int, str] = {}
        self.person: dict[int, int] = {}
        self.line: list[int] = []  # the waiting list, in the order people joined it
        self.promoted: list[int] = []
        self.mails = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    @initialize(
        target=registrations,
        capacity=capacities,
        approval=st.booleans(),
        waitlist=st.sampled_from([True, False, True]),
        crowd=st.integers(min_value=0, max_value=6),
    )
    def open_registration(self, capacity: int | None, approval: bool, waitlist: bool, crowd: int):
        self.conf = RegistrationSettingsFactory(
            capacity=capacity, requires_approval=approval, waitlist_enabled=waitlist
        )
        self.workshop = self.conf.workshop
        self.capacity = capacity
        # A first rush of sign-ups, so that most examples start with a full workshop and a line.
        arrived = (self.sign_up(who, shout=False) for who in range(crowd))
        return multiple(*(pk for pk in arrived if pk is not None))

    # The model.

    def confirmed(self) -> int:
        return sum(status == Status.CONFIRMED for status in self.status.values())

    def has_seat(self) -> bool:
        return self.capacity is None or self.confirmed() < self.capacity

    def fill_seats(self) -> list[int]:
        """Give free seats to the head of the line; return who moved up."""
        moved = []
        while self.line and self.has_seat():
            pk = self.line.pop(0)
            self.status[pk] = Status.CONFIRMED
            moved.append(pk)
        self.promoted += moved
        self.mails += len(moved)
        return moved

    def registrations_in_db(self):
        return Registration.objects.filter(workshop=self.workshop)

    def check_promoted(self, promoted: list[Registration]) -> None:
        assert [r.pk for r in promoted] == self.fill_seats()
        # On the database alone: those promoted queued before everyone still waiting.
        still_waiting = [r.queued_at for r in self.registrations_in_db().waitlisted()]
        queued = [r.queued_at for r in promoted]
        assert queued == sorted(queued)
        assert not (queued and still_waiting) or max(queued) < min(still_waiting)

    # The steps.

    def sign_up(self, who: int, *, shout: bool) -> int | None:
        """Register person ``who`` and check the outcome; return the new registration's id."""
        email = f"person{who}@example.org"
        data = RegistrationData(
            first_name=f"Person{who}", last_name="Tester", email=email.upper() if shout else email
        )
        active = [pk for pk, s in self.status.items() if self.person[pk] == who and s in ACTIVE]
        if active:
            with pytest.raises(services.AlreadyRegistered) as refused:
                services.register_attendee(workshop=self.workshop, data=data)
            assert refused.value.registration.pk == active[0]
            return None
        if self.conf.requires_approval:
            expected = Status.PENDING
        elif self.has_seat():
            expected = Status.CONFIRMED
        elif self.conf.waitlist_enabled:
            expected = Status.WAITLISTED
        else:
            with pytest.raises(services.WorkshopFull):
                services.register_attendee(workshop=self.workshop, data=data)
            return None
        registration = services.register_attendee(workshop=self.workshop, data=data)
        assert registration.status == expected
        self.status[registration.pk] = expected
        self.person[registration.pk] = who
        self.mails += 1
        if expected == Status.WAITLISTED:
            self.line.append(registration.pk)
        return registration.pk

    @rule(target=registrations, who=people, shout=st.booleans())
    def register(self, who: int, shout: bool):
        pk = self.sign_up(who, shout=shout)
        return multiple() if pk is None else pk

    @rule(pk=registrations, action=st.sampled_from(["cancel", "approve", "reject"]))
    def decide(self, pk: int, action: str) -> None:
        """Any decision on anyone, allowed or not (cancelling twice, approving the confirmed)."""
        {"cancel": self.cancel, "approve": self.approve, "reject": self.reject}[action](pk)

    # The moves that matter most, offered only when they can happen, so that few examples are
    # spent on refusals: a seat freed while people wait, a pending registration approved.

    def holding(self, status: str) -> list[int]:
        return sorted(pk for pk, s in self.status.items() if s == status)

    @precondition(lambda self: self.holding(Status.CONFIRMED))
    @rule(nth=st.integers(min_value=0, max_value=9))
    def give_up_a_seat(self, nth: int) -> None:
        seats = self.holding(Status.CONFIRMED)
        self.cancel(seats[nth % len(seats)])

    @precondition(lambda self: self.holding(Status.PENDING))
    @rule(nth=st.integers(min_value=0, max_value=9))
    def approve_pending(self, nth: int) -> None:
        # In any order: whoever is approved when the seats are gone queues from that moment.
        pending = self.holding(Status.PENDING)
        self.approve(pending[nth % len(pending)])

    def cancel(self, pk: int) -> None:
        registration = Registration.objects.get(pk=pk)
        if self.status[pk] not in ACTIVE:
            with pytest.raises(services.InvalidTransition):
                services.cancel_registration(registration=registration)
            return
        promoted = services.cancel_registration(registration=registration)
        self.status[pk] = Status.CANCELLED
        self.mails += 1
        if pk in self.line:
            self.line.remove(pk)
        self.check_promoted(promoted)

    def approve(self, pk: int) -> None:
        registration = Registration.objects.get(pk=pk)
        if self.status[pk] != Status.PENDING:
            with pytest.raises(services.InvalidTransition):
                services.approve_registration(registration=registration)
            return
        if self.has_seat():
            expected = Status.CONFIRMED
        elif self.conf.waitlist_enabled:
            expected = Status.WAITLISTED
        else:
            with pytest.raises(services.WorkshopFull):
                services.approve_registration(registration=registration)
            return
        approved = services.approve_registration(registration=registration)
        assert approved.status == expected
        self.status[pk] = expected
        self.mails += 1
        if expected == Status.WAITLISTED:
            self.line.append(pk)

    def reject(self, pk: int) -> None:
        registration = Registration.objects.get(pk=pk)
        if self.status[pk] != Status.PENDING:
            with pytest.raises(services.InvalidTransition):
                services.reject_registration(registration=registration)
            return
        services.reject_registration(registration=registration)
        self.status[pk] = Status.REJECTED
        self.mails += 1

    @rule(capacity=capacities)
    def set_capacity(self, capacity: int | None) -> None:
        if capacity is not None and capacity < self.confirmed():
            with pytest.raises(services.CapacityBelowConfirmed):
                services.set_capacity(workshop=self.workshop, capacity=capacity)
            return  # nothing changed: the invariants compare everything with the model
        promoted = services.set_capacity(workshop=self.workshop, capacity=capacity)
        self.capacity = capacity
        self.check_promoted(promoted)

    # What holds after every step.

    @invariant()
    def database_matches_the_model(self) -> None:
        assert dict(self.registrations_in_db().values_list("pk", "status")) == self.status
        self.conf.refresh_from_db(fields=["capacity"])
        assert self.conf.capacity == self.capacity

    @invariant()
    def seats_are_never_overbooked_nor_left_free_while_someone_waits(self) -> None:
        counts = dict(
            self.registrations_in_db()
            .filter(status__in=[Status.CONFIRMED, Status.WAITLISTED])
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        confirmed, waiting = counts.get(Status.CONFIRMED, 0), counts.get(Status.WAITLISTED, 0)
        if self.conf.capacity is None:
            assert waiting == 0
        else:
            assert confirmed <= self.conf.capacity
            assert confirmed == min(self.conf.capacity, confirmed + waiting)

    @invariant()
    def seat_counts_match_the_registrations(self) -> None:
        # Sign-ups decide on these counts alone: every path must keep them exact.
        self.conf.refresh_from_db(fields=["confirmed_count", "waitlisted_count"])
        statuses = list(self.status.values())
        assert (self.conf.confirmed_count, self.conf.waitlisted_count) == (
            statuses.count(Status.CONFIRMED),
            statuses.count(Status.WAITLISTED),
        )

    @invariant()
    def waiting_list_keeps_arrival_order(self) -> None:
        line = list(self.registrations_in_db().waitlisted().values_list("pk", "queued_at"))
        assert [pk for pk, _ in line] == self.line
        assert all(a < b for (_, a), (_, b) in pairwise(line))

    @invariant()
    def one_mail_per_change_and_per_promotion(self) -> None:
        keys = list(
            OutgoingMail.objects.filter(workshop=self.workshop).values_list("key", flat=True)
        )
        assert len(keys) == self.mails
        promoted = [key for key in keys if key.startswith("registration-promoted:")]
        assert sorted(promoted) == sorted(f"registration-promoted:{pk}" for pk in self.promoted)


@pytest.mark.django_db
def test_registration_rules_hold_for_any_sequence_of_steps():
    run_state_machine_as_test(
        RegistrationRules,
        settings=settings(
            max_examples=100,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
