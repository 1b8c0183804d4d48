"""The schema of the policy file, section by section (docs/policy.md).

Each section validates the file's shape and turns into the frozen values of
``policy_model``, whose fields are the defaults: a key left out of the file
takes the value the dataclass gives it, so the defaults live in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pydantic import Field, validator

from tactful.engine.policy_fields import (
    ChannelSwitches,
    Count,
    Flag,
    Lift,
    Link,
    Money,
    Positive,
    ProblemAt,
    Rate,
    Section,
    Share,
    Support,
    Text,
    fail,
)
from tactful.engine.policy_model import (
    Caps,
    Channels,
    Declines,
    Frustration,
    Holdout,
    Links,
    Mining,
    Policy,
    WindowCap,
)
from tactful.engine.policy_rules import RuleSchema
from tactful.engine.policy_words import template_problems
from tactful.engine.templates import placeholders_in

SUPPORTED_VERSIONS = (1,)


class WindowCapSchema(Section):
    max: Count = WindowCap.max
    days: Positive = WindowCap.days

    def value(self) -> WindowCap:
        return WindowCap(**self.dict())


class CapsSchema(Section):
    per_conversation: Count = Caps.per_conversation
    per_customer_window: WindowCapSchema = WindowCapSchema()
    same_offer_days: Positive = Caps.same_offer_days

    def value(self) -> Caps:
        return Caps(
            per_conversation=self.per_conversation,
            per_customer_window=self.per_customer_window.value(),
            same_offer_days=self.same_offer_days,
        )


class DeclinesSchema(Section):
    offer_suppression_days: Positive = Declines.offer_suppression_days
    category_suppression_days: Positive = Declines.category_suppression_days
    pause_after: Positive = Declines.pause_after
    pause_window_days: Positive = Declines.pause_window_days
    pause_days: Positive = Declines.pause_days

    def value(self) -> Declines:
        return Declines(**self.dict())


class HoldoutSchema(Section):
    share: Share = Holdout.share
    salt: Text = Holdout.salt

    def value(self) -> Holdout:
        return Holdout(**self.dict())


class FrustrationSchema(Section):
    fallbacks: Positive = Frustration.fallbacks

    def value(self) -> Frustration:
        return Frustration(**self.dict())


class MiningSchema(Section):
    enabled: Flag = Mining.enabled
    min_support: Support = Mining.min_support
    min_confidence: Share = Mining.min_confidence
    min_lift: Lift = Mining.min_lift
    max_rules: Count = Mining.max_rules
    recent_days: Positive = Mining.recent_days
    min_margin: Money = Mining.min_margin

    def value(self) -> Mining:
        return Mining(**self.dict())


class LinksSchema(Section):
    add_to_cart: Link = Links.add_to_cart
    upgrade: Link = Links.upgrade

    def value(self) -> Links:
        return Links(**self.dict())


class PolicyFile(Section):
    """The whole file."""

    version: Count = 1
    currency_symbol: Text = Policy.currency_symbol
    default_margin_rate: Rate = Policy.default_margin_rate
    caps: CapsSchema = CapsSchema()
    declines: DeclinesSchema = DeclinesSchema()
    holdout: HoldoutSchema = HoldoutSchema()
    channels: ChannelSwitches = {}
    frustration: FrustrationSchema = FrustrationSchema()
    mining: MiningSchema = MiningSchema()
    links: LinksSchema = LinksSchema()
    mined_message: Text = Policy.mined_message
    # No default: a file that forgot its rules must not pass as "no offers".
    offers: tuple[RuleSchema, ...] = Field(..., hint="use an empty list for no offer rules")

    @validator("version", allow_reuse=True)
    def _supported(cls, version: int) -> int:
        if version not in SUPPORTED_VERSIONS:
            raise ValueError(f"unsupported version {version} (supported: 1)")
        return version

    @validator("mined_message", allow_reuse=True)
    def _honest_mined_message(cls, message: str) -> str:
        # A mined offer has a purchase-or-cart trigger and never a discount.
        problems = template_problems(message, trigger=None, discount=Decimal(0), needs_price=True)
        try:
            if "since" in placeholders_in(message):
                problems.append("{since} is not available for mined offers")
        except ValueError:
            pass  # already reported as a bad template
        if problems:
            fail(*(((), problem) for problem in problems))
        return message

    @validator("offers", allow_reuse=True)
    def _unique_ids(cls, rules: tuple[RuleSchema, ...]) -> tuple[RuleSchema, ...]:
        # Every event records the offer id, so two rules may not share one.
        first: dict[str, int] = {}
        duplicates: list[ProblemAt] = []
        for index, rule in enumerate(rules):
            earlier = first.setdefault(rule.id, index)
            if earlier != index:
                duplicates.append(
                    ((index, "id"), f"duplicate offer id {rule.id!r}", {"first_index": earlier})
                )
        if duplicates:
            fail(*duplicates)
        return rules

    def to_policy(self, source: str, rule_lines: Sequence[int | None]) -> Policy:
        switches = {name: on for name, on in self.channels.items() if name != "default"}
        return Policy(
            caps=self.caps.value(),
            declines=self.declines.value(),
            holdout=self.holdout.value(),
            default_margin_rate=self.default_margin_rate,
            currency_symbol=self.currency_symbol,
            channels=Channels(
                default=self.channels.get("default", Channels.default),
                switches=tuple(sorted(switches.items())),
            ),
            frustration=self.frustration.value(),
            mining=self.mining.value(),
            links=self.links.value(),
            mined_message=self.mined_message,
            offers=tuple(rule.to_rule(line) for rule, line in zip(self.offers, rule_lines, strict=True)),
            source=source,
        )
