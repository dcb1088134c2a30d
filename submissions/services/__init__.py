"""Every submission state change, in three rooms: authoring, review, decisions."""

from submissions.services.authoring import *  # noqa: F403
from submissions.services.decisions import *  # noqa: F403
from submissions.services.errors import *  # noqa: F403
from submissions.services.review import *  # noqa: F403
