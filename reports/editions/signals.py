"""Domain signals of the edition lifecycle; listeners never have to know which code wrote.

- ``transitioned``: an edition moved between states (or was started, scheduled, reverted).
  Sent inside the transaction, after the change; kwargs: edition, action, from_state,
  to_state, actor, event.
- ``public_changed``: the transaction changes what the public site shows. Sent once, as the
  lifecycle block's last statement; kwargs: editions and profiles (sets of ids, possibly
  empty when a shared record such as a country or a source changed).
"""

from django.dispatch import Signal

transitioned = Signal()
public_changed = Signal()
