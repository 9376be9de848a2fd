"""Move the publication clock whenever something a public page shows changes.

The lifecycle API announces every such change with its ``public_changed`` signal: a step
into or out of a public state, an import into the archive, a change to a record published
pages show (reports.editions.records), inside the transaction that makes it and, within the
gate, as its last statement. Nothing else can change what the public site shows (see
reports.editions.freeze). The clock then commits together with the change, and with the
profiles whose pages it makes stale: those the signal names, or every page when it names none
(a shared record changed). See reports.public.pagecache.
"""

from ..editions.signals import public_changed
from .pagecache import advance_clock

public_changed.connect(advance_clock, dispatch_uid="clock-lifecycle")
