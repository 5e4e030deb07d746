"""The one documented signal of the consult app.

`consultation_transitioned(consultation, from_state, to_state)` is sent after the commit of
every lifecycle change. Receivers must be idempotent; the durable record is the
`Transition` row, which periodic sweeps read so nothing is missed if a receiver fails.
"""

from django.dispatch import Signal

consultation_transitioned = Signal()
