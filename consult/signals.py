"""The one documented signal of the consult app.

`consultation_transitioned(consultation, from_state, to_state)` is sent inside the
transaction of every lifecycle change, after the Transition row is written. Higher apps
(feedback, outcomes) receive it to queue their work in the same transaction (the outbox
pattern): receivers must be quick, idempotent, and only write rows — never send anything.
If a receiver raises, the state change is rolled back with it.
"""

from django.dispatch import Signal

consultation_transitioned = Signal()
