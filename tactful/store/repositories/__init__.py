"""Repositories: the only place that builds queries against the shop tables.

One module per repository; the unit of work opens them all on one session.
Every read that returns customer data takes the customer id, so a caller can
never fetch another customer's order by guessing its number.
"""

from tactful.store.repositories.carts import CartRepository
from tactful.store.repositories.customers import CustomerRepository
from tactful.store.repositories.handoffs import HandoffRepository
from tactful.store.repositories.identities import IdentityRepository
from tactful.store.repositories.mined_rules import MinedRuleRepository
from tactful.store.repositories.offer_events import OfferEventRepository
from tactful.store.repositories.orders import OrderRepository
from tactful.store.repositories.products import ProductRepository
from tactful.store.repositories.returns import ReturnRepository
from tactful.store.repositories.support_cases import SupportCaseRepository

__all__ = [
    "CartRepository",
    "CustomerRepository",
    "HandoffRepository",
    "IdentityRepository",
    "MinedRuleRepository",
    "OfferEventRepository",
    "OrderRepository",
    "ProductRepository",
    "ReturnRepository",
    "SupportCaseRepository",
]
