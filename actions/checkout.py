"""Checkout questions: cart, shipping, payment methods and coupons."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import runtime
from actions.base import TactfulAction
from actions.offering import ReplyOutcome, maybe_offer
from actions.replies import Reply
from actions.turn import Turn
from actions.wording import money
from tactful.services import support
from tactful.services.aio import run_blocking

SHIPPING = (
    "Standard delivery takes 2–4 working days and costs £3.95, free on orders over £50."
    " Express delivery (next working day if ordered by 2pm) costs £7.95. We ship to the UK and the EU."
)
PAYMENTS = "We accept Visa, Mastercard, American Express, PayPal, Apple Pay and Google Pay."
COUPONS = (
    'You can enter a coupon code on the payment step of checkout, in the "Discount code" box.'
    " One code per order; the discount shows before you pay. If a code is refused, it may have"
    " expired or not apply to the items in your cart."
)


class ActionCartQuestion(TactfulAction):
    action_name = "action_cart_question"
    requires_customer = True
    anonymous_reply = "I can see your cart once you're signed in. Please sign in and ask me again."

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        assert turn.customer_id is not None
        cart = await run_blocking(support.cart_for, runtime.new_uow, turn.customer_id, turn.cart_id)
        if cart.is_empty:
            reply.say("Your cart is empty.")
            return [SlotSet("last_topic", "cart")]
        lines = "; ".join(f"{line.quantity} × {line.name} ({money(line.line_total)})" for line in cart.lines)
        reply.say(f"Your cart: {lines}. Total {money(cart.total)} before delivery.")
        return [SlotSet("last_topic", "cart")] + await maybe_offer(turn, tracker, reply, "cart_question")


class _StaticCheckoutAnswer(TactfulAction):
    answer = ""
    topic = ""

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.say(self.answer)
        return [SlotSet("last_topic", self.topic)]


class ActionShippingInfo(_StaticCheckoutAnswer):
    action_name = "action_shipping_info"
    answer = SHIPPING
    topic = "shipping"


class ActionPaymentMethods(_StaticCheckoutAnswer):
    action_name = "action_payment_methods"
    answer = PAYMENTS
    topic = "payment_methods"


class ActionCoupon(_StaticCheckoutAnswer):
    action_name = "action_coupon"
    answer = COUPONS
    topic = "coupon"
