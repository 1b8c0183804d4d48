"""Turn a chosen candidate into the customer-facing Offer and its explanations."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from tactful.engine.candidates import Candidate
from tactful.engine.model import Offer
from tactful.engine.policy_model import Policy
from tactful.engine.templates import format_percent, format_price, render, since_text


def template_values(candidate: Candidate, policy: Policy, now: datetime) -> dict[str, str]:
    target = candidate.target
    source = candidate.source
    return {
        "trigger_name": source.product.name if source else target.category,
        "target_name": target.name,
        "price": format_price(target.price, policy.currency_symbol),
        "final_price": format_price(candidate.final_price, policy.currency_symbol),
        "discount": format_percent(candidate.discount_percent),
        "since": since_text(source.bought_at if source else None, now),
        "category": target.category,
    }


def offer_link(candidate: Candidate, policy: Policy) -> str:
    template = policy.links.upgrade if candidate.upgrade else policy.links.add_to_cart
    return template.format(
        sku=quote(candidate.target.sku, safe=""),
        offer_id=quote(candidate.offer_id, safe=""),
        variant_id=quote(candidate.variant_id, safe=""),
    )


def build_offer(candidate: Candidate, policy: Policy, now: datetime) -> Offer:
    values = template_values(candidate, policy, now)
    return Offer(
        offer_id=candidate.offer_id,
        variant_id=candidate.variant_id,
        kind=candidate.kind,
        target_sku=candidate.target.sku,
        target_name=candidate.target.name,
        category=candidate.target.category,
        price=candidate.target.price,
        discount_percent=candidate.discount_percent,
        final_price=candidate.final_price,
        message=render(candidate.message_template, values),
        reason=render(candidate.reason_template, values),
        accept_label=candidate.accept_label,
        decline_label="No thanks",
        link=offer_link(candidate, policy),
        source=candidate.origin,
        is_subscription=candidate.target.is_subscription,
    )


def why_text(offer: Offer) -> str:
    """The answer to "why am I seeing this?": the reason, and how to turn it off."""
    return (
        f"{offer.reason} It's only a suggestion, based on your orders with us. "
        'If you\'d rather not get suggestions, just say "stop suggesting things".'
    )
