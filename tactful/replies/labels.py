"""The labels a reply to an offer can get, and what each one records."""

from __future__ import annotations

from enum import Enum


class ReplyLabel(str, Enum):
    ACCEPT = "accept"
    DECLINE = "decline"
    # A no together with another request: record the no, then help with the rest.
    DECLINE_PLUS_REQUEST = "decline_plus_request"
    # About the offered item: answered from the catalog, and the choice stays open.
    QUESTION = "question"
    # Neither yes nor no (thanks, ok, an emoji, another topic): shown, not declined.
    IGNORED = "ignored"
    OPT_OUT = "opt_out"
    WHY = "why"


# The offer response each label records; None records nothing (the offer stays open).
EVENT_FOR: dict[ReplyLabel, str | None] = {
    ReplyLabel.ACCEPT: "accepted",
    ReplyLabel.DECLINE: "declined",
    ReplyLabel.DECLINE_PLUS_REQUEST: "declined",
    ReplyLabel.OPT_OUT: "declined",
    ReplyLabel.IGNORED: "ignored",
    ReplyLabel.QUESTION: None,
    ReplyLabel.WHY: None,
}
