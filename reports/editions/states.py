"""The states of an edition, and the one name of each set of them used everywhere.

    draft ─submit→ in review ─approve→ approved ─publish→ published ─(newer published)→ superseded
      ↑              │                    │                  │
      └─ changes requested ←──────────────┘                  └─withdraw→ withdrawn

- OPEN: the profile's edition in progress (at most one per profile, a database constraint).
- EDITABLE: its content may be changed by whoever may edit; in every other state only the
  lifecycle API changes the edition, and the freeze (reports.editions.freeze) refuses the rest.
- PUBLIC: the current edition of its profile, shown on the public site (at most one).
- ARCHIVED: published once and replaced by a newer one; the public site reads it as the archive.
- READABLE: what the public site reads, PUBLIC and ARCHIVED.
- FROZEN: published once; its content never changes again.
"""

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN = (State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED, State.APPROVED)
EDITABLE = (State.DRAFT, State.CHANGES_REQUESTED)
PUBLIC = (State.PUBLISHED,)
ARCHIVED = (State.SUPERSEDED,)
READABLE = PUBLIC + ARCHIVED
FROZEN = READABLE + (State.WITHDRAWN,)
