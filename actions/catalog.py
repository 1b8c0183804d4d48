"""Product questions and compatibility, answered from the catalog."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import runtime
from actions.base import TactfulAction
from actions.offering import ReplyOutcome, maybe_offer
from actions.product_text import describe_product
from actions.replies import Reply
from actions.turn import Turn
from tactful.services import support
from tactful.services.aio import run_blocking
from tactful.services.matching import find_mentioned

_MY_THING = re.compile(r"\bmy (camera|laptop|headphones|plan|computer)\b", re.IGNORECASE)


class ActionProductQuestion(TactfulAction):
    action_name = "action_product_question"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        products = await run_blocking(support.catalog_products, runtime.new_uow)
        mentioned = find_mentioned(turn.text, products)
        if not mentioned:
            reply.say(
                'Which product do you mean? You can give me its name, for example "X200 camera" or "Pro plan".'
            )
            return []
        for product in mentioned:
            reply.say(describe_product(product))
        return [SlotSet("last_topic", "product_question")] + await maybe_offer(
            turn, tracker, reply, "resolved_request"
        )


class ActionCompatibility(TactfulAction):
    action_name = "action_compatibility"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        products = await run_blocking(support.catalog_products, runtime.new_uow)
        by_sku = {product.sku: product for product in products}
        own_thing = _MY_THING.search(turn.text)
        # "my camera" names something the customer owns, not a catalog search term.
        text = _MY_THING.sub(" ", turn.text) if own_thing else turn.text
        mentioned = find_mentioned(text, products, limit=2)
        if own_thing and turn.customer_id and len(mentioned) < 2:
            owned = await run_blocking(support.owned_skus, runtime.new_uow, turn.customer_id)
            kind = own_thing.group(1).lower()
            mine = sorted(sku for sku in owned if sku in by_sku and by_sku[sku].category == kind)
            mentioned = mentioned[:1] + [by_sku[sku] for sku in mine[:1]]
        if len(mentioned) < 2:
            reply.say(
                'Which two products should I check? For example: "does the 128 GB card work with the X100?"'
            )
            return []
        first, second = mentioned[0], mentioned[1]
        if second.sku in first.compatible_with or first.sku in second.compatible_with:
            reply.say(f"Yes, the {first.name} works with the {second.name}.")
        else:
            reply.say(f"No, the {first.name} isn't listed as compatible with the {second.name}.")
        return [SlotSet("last_topic", "compatibility")] + await maybe_offer(
            turn, tracker, reply, "resolved_request"
        )
