"""The schema of one ``offers:`` rule (docs/policy.md, "offers").

Field types check each value on its own; the rule's own validator checks what
needs several keys at once: the words of every message against the rule's
trigger and discount, and an upgrade target against its kind and trigger.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import root_validator

from tactful.engine.policy_fields import (
    ChannelNames,
    Count,
    Flag,
    Kind,
    Label,
    Loc,
    Names,
    OfferId,
    Percent,
    ProblemAt,
    Section,
    StageNames,
    Text,
    fail,
)
from tactful.engine.policy_model import Exclusions, IntRange, OfferRule, Target, Trigger, Variant
from tactful.engine.policy_words import default_reason, template_problems


class RangeSchema(Section):
    min: Count | None = None
    max: Count | None = None

    @root_validator(skip_on_failure=True, allow_reuse=True)
    def _bounds(cls, values: dict[str, Any]) -> dict[str, Any]:
        low, high = values["min"], values["max"]
        if low is None and high is None:
            raise ValueError("needs min or max")
        if low is not None and high is not None and low > high:
            fail((("max",), f"max ({high}) is below min ({low})"))
        return values

    def value(self) -> IntRange:
        return IntRange(min=self.min, max=self.max)


class TriggerSchema(Section):
    owns_sku: Names = frozenset()
    owns_category: Names = frozenset()
    cart_sku: Names = frozenset()
    cart_category: Names = frozenset()
    plan_tier: RangeSchema | None = None
    days_since_purchase: RangeSchema | None = None
    stage: StageNames = frozenset()

    @root_validator(skip_on_failure=True, allow_reuse=True)
    def _some_condition(cls, values: dict[str, Any]) -> dict[str, Any]:
        # A rule without a condition would fire for every customer.
        if not any(values.values()):
            raise ValueError("needs at least one condition")
        return values

    def value(self) -> Trigger:
        return Trigger(
            owns_sku=self.owns_sku,
            owns_category=self.owns_category,
            cart_sku=self.cart_sku,
            cart_category=self.cart_category,
            plan_tier=self.plan_tier.value() if self.plan_tier else None,
            days_since_purchase=self.days_since_purchase.value() if self.days_since_purchase else None,
            stage=self.stage,
        )


class TargetSchema(Section):
    sku: Text | None = None
    upgrade: Flag | None = None

    @root_validator(skip_on_failure=True, allow_reuse=True)
    def _one_target(cls, values: dict[str, Any]) -> dict[str, Any]:
        if (values["sku"] is None) == (values["upgrade"] is None):
            raise ValueError("needs exactly one of sku or upgrade: true")
        if values["upgrade"] is False:
            fail((("upgrade",), "set upgrade: true, or give a sku instead"))
        return values

    def value(self) -> Target:
        return Target(sku=self.sku, upgrade=bool(self.upgrade))


class ExclusionsSchema(Section):
    owns_target: Flag = Exclusions.owns_target
    same_need: Flag = Exclusions.same_need
    returned_target: Flag = Exclusions.returned_target
    out_of_stock: Flag = Exclusions.out_of_stock
    regions: Names = Exclusions.regions
    channels: ChannelNames = Exclusions.channels

    def value(self) -> Exclusions:
        return Exclusions(**self.dict())


class VariantSchema(Section):
    id: OfferId
    message: Text
    # None: the rule's discount.
    discount_percent: Percent | None = None


class RuleSchema(Section):
    id: OfferId
    kind: Kind
    trigger: TriggerSchema
    target: TargetSchema
    exclusions: ExclusionsSchema = ExclusionsSchema()
    discount_percent: Percent = Decimal(0)
    message: Text | None = None
    variants: tuple[VariantSchema, ...] | None = None
    reason: Text | None = None
    accept_label: Label | None = None
    # Allow lists; empty means "all".
    channels: ChannelNames = frozenset()
    stages: StageNames = frozenset()

    @root_validator(allow_reuse=True)
    def _honest_and_complete(cls, values: dict[str, Any]) -> dict[str, Any]:
        # Runs even when some keys failed: those are missing from ``values``,
        # and their checks here are skipped rather than reported twice.
        problems = _message_problems(values) + _upgrade_problems(values)
        if problems:
            fail(*problems)
        return values

    def to_rule(self, line: int | None) -> OfferRule:
        trigger, target = self.trigger.value(), self.target.value()
        if self.variants is None:
            variants: tuple[Variant, ...] = (Variant("default", self.message or "", self.discount_percent),)
        else:
            variants = tuple(
                Variant(
                    v.id,
                    v.message,
                    self.discount_percent if v.discount_percent is None else v.discount_percent,
                )
                for v in self.variants
            )
        return OfferRule(
            id=self.id,
            kind=self.kind,
            trigger=trigger,
            target=target,
            variants=variants,
            reason=self.reason or default_reason(self.kind, trigger, target),
            accept_label=self.accept_label or ("Upgrade" if target.upgrade else "Add to cart"),
            exclusions=self.exclusions.value(),
            discount_percent=self.discount_percent,
            channels=self.channels,
            stages=self.stages,
            line=line,
        )


_FAILED = object()


def _trigger(values: dict[str, Any]) -> Trigger | None:
    trigger = values.get("trigger")
    return trigger.value() if isinstance(trigger, TriggerSchema) else None


def _message_problems(values: dict[str, Any]) -> list[ProblemAt]:
    message, variants = values.get("message", _FAILED), values.get("variants", _FAILED)
    problems: list[ProblemAt] = []
    if message is not None and variants is not None:
        problems.append((("message",), "give either message or variants, not both"))
    elif message is None and variants is None:
        problems.append((("message",), "is required"))
    elif variants == ():
        problems.append((("variants",), "needs at least one variant"))
    first: dict[str, int] = {}
    for index, variant in enumerate(variants if isinstance(variants, tuple) else ()):
        earlier = first.setdefault(variant.id, index)
        if earlier != index:
            where: Loc = ("variants", index, "id")
            problems.append((where, f"duplicate variant id {variant.id!r}", {"first_index": earlier}))
    # (where, template, discount shown, needs a price); reasons show no price.
    texts: list[tuple[Loc, str, Decimal | None, bool]] = []
    if isinstance(values.get("reason"), str):
        texts.append((("reason",), values["reason"], None, False))
    discount = values.get("discount_percent")
    if discount is None:
        pass  # already reported; checking prices against a bad discount only adds noise
    elif isinstance(message, str):
        texts.append((("message",), message, discount, True))
    elif isinstance(variants, tuple):
        for index, variant in enumerate(variants):
            own = discount if variant.discount_percent is None else variant.discount_percent
            texts.append((("variants", index, "message"), variant.message, own, True))
    trigger = _trigger(values)
    for loc, template, shown, needs_price in texts:
        found = template_problems(template, trigger=trigger, discount=shown, needs_price=needs_price)
        problems += [(loc, problem) for problem in found]
    return problems


def _upgrade_problems(values: dict[str, Any]) -> list[ProblemAt]:
    target, trigger = values.get("target"), _trigger(values)
    if not isinstance(target, TargetSchema) or not target.upgrade:
        return []
    problems: list[ProblemAt] = []
    if values.get("kind", "upsell") != "upsell":
        problems.append((("target", "upgrade"), "an upgrade target needs kind: upsell"))
    if trigger is not None and not (trigger.uses_purchases or trigger.uses_cart):
        problems.append((("target", "upgrade"), "an upgrade target needs an owns_* or cart_* trigger"))
    return problems
