"""What other apps hand to notifications: message specs and fan-out sources.

Higher apps (feedback, outcomes) build `MessageSpec`s from their own data and either pass
them to `services.messages_enqueue` inside their transaction, or, for audiences too large
for one transaction, write a *source* and start a fan-out with `services.fan_out_start`:

    from notifications.specs import FanOutPage, MessageSpec, fan_out_source

    @fan_out_source
    def closing_messages(*, after: int, limit: int, consultation_id: int) -> FanOutPage:
        participants = list(consenting(consultation_id).filter(pk__gt=after).order_by("pk")[:limit])
        specs = [MessageSpec(recipient=p.token, ...) for p in participants]
        return FanOutPage(messages=specs, next_after=participants[-1].pk if participants else None)

A source is called with the cursor of the previous page (`after`, 0 for the first), a page
size (`limit`) and the JSON keyword arguments given to `fan_out_start`; it returns the specs
for at most `limit` recipients and the cursor to continue from, or None when it is done.
It must be deterministic for a given cursor: a step may be run twice after a crash, and the
outbox's uniqueness constraint then makes the second run create nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.module_loading import import_string


@dataclass(frozen=True, slots=True)
class MessageSpec:
    """One message to queue: either rendered already, or a template to render now.

    With `template`, notifications renders `<template>_subject.txt`, `<template>.txt` and
    (for email, if it exists) `<template>.html` in `language`, with `context` plus
    `unsubscribe_url`. Otherwise `subject`, `text` and `html` are used as given.
    """

    recipient: str
    channel: str
    address: str
    purpose: str
    subject_key: str
    language: str
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    subject: str = ""
    text: str = ""
    html: str = ""


@dataclass(frozen=True, slots=True)
class FanOutPage:
    """One page of a fan-out source: its messages and where the next page starts."""

    messages: list[MessageSpec]
    next_after: int | None


class FanOutSource(Protocol):
    def __call__(self, *, after: int, limit: int, **kwargs: Any) -> FanOutPage: ...


_MARK = "_notifications_fan_out_source"


def fan_out_source(function: Callable[..., FanOutPage]) -> Callable[..., FanOutPage]:
    """Mark a function as a fan-out source; only marked functions may be named in a task."""
    setattr(function, _MARK, True)
    return function


def resolve_source(path: str) -> FanOutSource:
    """Import a source by dotted path, refusing anything not marked with `fan_out_source`.

    Task arguments come through the broker; the mark keeps them from naming any callable.
    """
    function = import_string(path)
    if not getattr(function, _MARK, False):
        raise ValueError(f"{path} is not marked with @fan_out_source.")
    return function
