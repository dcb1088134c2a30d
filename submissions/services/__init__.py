"""Every submission state change, in three rooms: authoring, review, decisions.

Each name is re-exported as itself (``X as X``): callers import from here, not the rooms."""

from submissions.services.authoring import (
    AuthorData as AuthorData,
    SubmissionData as SubmissionData,
    call_for as call_for,
    check_call_open as check_call_open,
    create_submission as create_submission,
    deadline_text as deadline_text,
    edit_refusal as edit_refusal,
    ensure_submission_types as ensure_submission_types,
    moment_text as moment_text,
    update_submission as update_submission,
    withdraw_submission as withdraw_submission,
    word_count as word_count,
)
from submissions.services.decisions import (
    confirm_participation as confirm_participation,
    decide_submission as decide_submission,
    decline_participation as decline_participation,
    notify_authors as notify_authors,
)
from submissions.services.errors import (
    CallNotOpen as CallNotOpen,
    ConflictOfInterest as ConflictOfInterest,
    DeadlinePassed as DeadlinePassed,
    InvalidPdf as InvalidPdf,
    NotAllowed as NotAllowed,
    OneSubmissionOnly as OneSubmissionOnly,
    ReviewsClosed as ReviewsClosed,
    SubmissionError as SubmissionError,
)
from submissions.services.review import (
    ReviewData as ReviewData,
    SeatRefused as SeatRefused,
    accept_invitation as accept_invitation,
    assign_automatically as assign_automatically,
    assign_reviewer as assign_reviewer,
    assignments_of as assignments_of,
    blind_pdf as blind_pdf,
    change_override as change_override,
    check_assignment as check_assignment,
    check_committee_seat as check_committee_seat,
    check_topics as check_topics,
    check_unassign as check_unassign,
    committee_user as committee_user,
    conflict_message as conflict_message,
    conflict_reason as conflict_reason,
    normalize_affiliation as normalize_affiliation,
    notify_new_assignments as notify_new_assignments,
    remind_reviewers as remind_reviewers,
    reviews_left as reviews_left,
    save_review as save_review,
    seat_committee_member as seat_committee_member,
    unassign as unassign,
)
