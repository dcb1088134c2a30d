"""Every submission state change, in three rooms: authoring, review, decisions.

Each name is re-exported as itself (``X as X``): callers import from here, not the rooms."""

from submissions.services.authoring import (
    AuthorData as AuthorData,
)
from submissions.services.authoring import (
    SubmissionData as SubmissionData,
)
from submissions.services.authoring import (
    call_for as call_for,
)
from submissions.services.authoring import (
    check_call_open as check_call_open,
)
from submissions.services.authoring import (
    create_submission as create_submission,
)
from submissions.services.authoring import (
    deadline_text as deadline_text,
)
from submissions.services.authoring import (
    edit_refusal as edit_refusal,
)
from submissions.services.authoring import (
    ensure_submission_types as ensure_submission_types,
)
from submissions.services.authoring import (
    moment_text as moment_text,
)
from submissions.services.authoring import (
    update_submission as update_submission,
)
from submissions.services.authoring import (
    withdraw_submission as withdraw_submission,
)
from submissions.services.authoring import (
    word_count as word_count,
)
from submissions.services.decisions import (
    confirm_participation as confirm_participation,
)
from submissions.services.decisions import (
    decide_submission as decide_submission,
)
from submissions.services.decisions import (
    decline_participation as decline_participation,
)
from submissions.services.decisions import (
    notify_authors as notify_authors,
)
from submissions.services.errors import (
    CallNotOpen as CallNotOpen,
)
from submissions.services.errors import (
    ConflictOfInterest as ConflictOfInterest,
)
from submissions.services.errors import (
    DeadlinePassed as DeadlinePassed,
)
from submissions.services.errors import (
    InvalidPdf as InvalidPdf,
)
from submissions.services.errors import (
    NotAllowed as NotAllowed,
)
from submissions.services.errors import (
    OneSubmissionOnly as OneSubmissionOnly,
)
from submissions.services.errors import (
    ReviewsClosed as ReviewsClosed,
)
from submissions.services.errors import (
    SubmissionError as SubmissionError,
)
from submissions.services.review import (
    ReviewData as ReviewData,
)
from submissions.services.review import (
    assign_automatically as assign_automatically,
)
from submissions.services.review import (
    assign_reviewer as assign_reviewer,
)
from submissions.services.review import (
    assignments_of as assignments_of,
)
from submissions.services.review import (
    blind_pdf as blind_pdf,
)
from submissions.services.review import (
    committee_user as committee_user,
)
from submissions.services.review import (
    conflict_reason as conflict_reason,
)
from submissions.services.review import (
    normalize_affiliation as normalize_affiliation,
)
from submissions.services.review import (
    save_review as save_review,
)
