"""The one gate every change to an edition's state, or to a non-editable edition, passes.

The rule lives in the database, so it holds for every writer (admin pages of any model,
django-reversion's revert and recover views, queryset updates, raw SQL, imports, scripts):
triggers from migration reports/0007_lifecycle refuse

- an edition created in any state but draft, or any change of an edition's state;
- any change to an edition, or to its sections, overview facts, footnotes and citations,
  unless the edition is editable (draft, changes requested), including moving a row onto an
  edition that is not;
- ever: changing or deleting the content of a frozen edition (published once), changing its
  text, dates or profile, or deleting it,

unless the transaction is inside ``lifecycle()``, which only reports.editions opens (the
transitions, the importer, loading fixtures). Even then a frozen edition's content only ever
gains rows (a published edition written with its content in one go) or has a citation
pointed at another source (merging duplicate sources).

On PostgreSQL the gate is a transaction-local setting (``monitor.lifecycle``); on SQLite,
which has no such settings, a row of ``reports_lifecycle_gate`` written inside the
transaction and deleted before it ends. The database's refusal reaches Python as
FrozenEdition with the trigger's message. SQLite has no TRUNCATE: Django's flush deletes
every row with plain DELETEs, which a trigger cannot tell from any other, so there deletes
are refused here, before Django deletes the rows (``_refuse_delete``).
"""

import contextlib
import contextvars
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import pre_delete

from . import signals

MARK = "monitor-lifecycle: "


class FrozenEdition(DatabaseError):
    """The database refused a change that only the lifecycle API may make."""


@dataclass
class _Gate:
    editions: set = field(default_factory=set)
    profiles: set = field(default_factory=set)
    public: bool = False
    shared: bool = False  # a record that any page may show changed too


_gate = contextvars.ContextVar("monitor_lifecycle_gate", default=None)


def is_open():
    return _gate.get() is not None


@contextlib.contextmanager
def lifecycle():
    """Open the gate for the block, in a transaction (a savepoint when one is open).

    Whatever the block reports through public_change() is announced once at its end, as its
    last statement, with the ``public_changed`` signal: listeners (the page cache) then take
    their locks after every row lock the block took, in the same order for every writer.
    """
    if _gate.get() is not None:
        yield _gate.get()
        return
    gate = _Gate()
    # PostgreSQL's setting ends with the transaction: shut it explicitly only when the
    # transaction goes on after the block. SQLite's gate is a row, deleted before any commit.
    outermost = not connection.in_atomic_block and connection.vendor == "postgresql"
    with transaction.atomic():
        _set(True)
        token = _gate.set(gate)
        try:
            yield gate
        finally:
            _gate.reset(token)
        if gate.public:
            # A shared record's change is announced with empty sets, as outside the gate,
            # even when the block also changed some editions: every page may show the record.
            editions, profiles = (set(), set()) if gate.shared else (gate.editions, gate.profiles)
            signals.public_changed.send(sender=lifecycle, editions=editions, profiles=profiles)
        if not outermost:
            _set(False)


def public_change(*, edition=None, profile_id=None):
    """Note, inside lifecycle(), that the block changes what the public site shows (an
    edition, a profile, or with neither a record such as a country or a source)."""
    gate = _gate.get()
    if gate is None:
        raise RuntimeError("public_change() belongs inside lifecycle().")
    gate.public = True
    if edition is None and profile_id is None:
        gate.shared = True
    if edition is not None:
        gate.editions.add(edition.pk)
        gate.profiles.add(edition.profile_id)
    if profile_id is not None:
        gate.profiles.add(profile_id)


def _set(open_):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            value = "on" if open_ else ""
            cursor.execute("SELECT set_config('monitor.lifecycle', %s, true)", [value])
        elif open_:
            cursor.execute("INSERT INTO reports_lifecycle_gate (opened) VALUES (1)")
        else:
            cursor.execute("DELETE FROM reports_lifecycle_gate")


def _translate_refusals(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except DatabaseError as exc:
        message = str(exc)
        if MARK not in message:
            raise
        # PostgreSQL appends the trigger's context on further lines.
        raise FrozenEdition(message.split(MARK, 1)[1].splitlines()[0]) from exc


def install(connection, **kwargs):
    if _translate_refusals not in connection.execute_wrappers:
        connection.execute_wrappers.append(_translate_refusals)


connection_created.connect(install, dispatch_uid="monitor-lifecycle-refusals")


FROZEN_MESSAGE = "A published edition never changes; start a new draft instead."
LOCKED_MESSAGE = (
    "This edition is not a draft: its content changes only after changes are requested."
)
DELETE_MESSAGE = "Only a draft can be deleted; withdraw a published edition instead."


def _refuse_delete(sender, instance, **kwargs):
    """SQLite's guard of deletes: the same rules as the PostgreSQL triggers."""
    if connection.vendor != "sqlite":
        return
    from . import states

    Edition = apps.get_model("reports", "Edition")
    if sender is Edition:
        state = instance.state
        if state in states.FROZEN or (state != states.State.DRAFT and not is_open()):
            raise FrozenEdition(DELETE_MESSAGE)
        return
    if sender._meta.model_name == "citation":
        editions = Edition._base_manager.filter(footnotes=instance.footnote_id)
    else:
        editions = Edition._base_manager.filter(pk=instance.edition_id)
    state = editions.values_list("state", flat=True).first()
    if state is None or state in states.EDITABLE:
        return
    if state in states.FROZEN:
        raise FrozenEdition(FROZEN_MESSAGE)
    if not is_open():
        raise FrozenEdition(LOCKED_MESSAGE)


def connect_delete_guard():
    for label in ("reports.Edition", "reports.Section", "reports.OverviewFact", "reports.Figure"):
        pre_delete.connect(_refuse_delete, sender=apps.get_model(label), dispatch_uid=label)
    for label in ("sources.Footnote", "sources.Citation"):
        pre_delete.connect(_refuse_delete, sender=apps.get_model(label), dispatch_uid=label)
