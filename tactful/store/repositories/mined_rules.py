"""The stored co-purchase rule set: written by `tactful mine`, read by every process."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from tactful.engine.model import CoPurchaseRule
from tactful.store.models import MinedRuleRow, MiningRun

# One statement, so one snapshot: a reader never pairs a run with another
# run's rules, even while `tactful mine` replaces the set.
_CURRENT = (
    select(
        MiningRun.id,
        MiningRun.mined_at,
        MiningRun.baskets,
        MinedRuleRow.antecedent,
        MinedRuleRow.consequent,
        MinedRuleRow.support,
        MinedRuleRow.confidence,
        MinedRuleRow.lift,
    )
    .outerjoin(MinedRuleRow, MinedRuleRow.run_id == MiningRun.id)
    .order_by(MiningRun.id.desc(), MinedRuleRow.position)
)


class RuleSet(NamedTuple):
    mined_at: datetime
    baskets: int
    rules: list[CoPurchaseRule]


class MinedRuleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def current(self) -> RuleSet | None:
        """The rule set in force, or None when `tactful mine` never ran."""
        rows = self._session.connection().execute(_CURRENT).all()
        if not rows:
            return None
        newest = rows[0].id
        rules = [
            CoPurchaseRule(r.antecedent, r.consequent, r.support, r.confidence, r.lift)
            for r in rows
            if r.id == newest and r.antecedent is not None
        ]
        return RuleSet(rows[0].mined_at, int(rows[0].baskets), rules)

    def replace(self, rules: list[CoPurchaseRule], mined_at: datetime, baskets: int) -> None:
        """Swap in a new set; readers see it only once the unit of work commits."""
        connection = self._session.connection()
        connection.execute(delete(MinedRuleRow))
        connection.execute(delete(MiningRun))
        # inserted_primary_key rather than RETURNING: SQLAlchemy 1.4 has no
        # RETURNING on SQLite.
        run_id = connection.execute(
            insert(MiningRun).values(mined_at=mined_at, baskets=baskets)
        ).inserted_primary_key[0]
        if rules:
            connection.execute(
                insert(MinedRuleRow),
                [
                    {
                        "run_id": run_id,
                        "position": position,
                        "antecedent": rule.antecedent,
                        "consequent": rule.consequent,
                        "support": rule.support,
                        "confidence": rule.confidence,
                        "lift": rule.lift,
                    }
                    for position, rule in enumerate(rules)
                ],
            )
