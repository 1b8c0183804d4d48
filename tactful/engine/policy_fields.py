"""Building blocks of the policy schema: strict value types and ``Section``.

pydantic coerces by default ("1" -> 1, 1.5 -> 1, "yes" -> True); a policy file
must say what it means instead (docs/policy.md, "General rules"), so every field
of the schema uses one of these types, each checking one raw YAML value, and
every mapping is a ``Section``. Messages name what was expected and what the
file holds, because the shop owner fixing the file never sees the code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, TypeVar

from pydantic import BaseModel, Extra, ValidationError, validator
from pydantic.error_wrappers import ErrorWrapper
from pydantic.errors import PydanticValueError
from pydantic.fields import SHAPE_SINGLETON, ModelField

from tactful.engine.model import OFFER_KINDS
from tactful.engine.policy_model import KNOWN_CHANNELS, KNOWN_STAGES
from tactful.engine.policy_words import label_problems
from tactful.engine.templates import placeholders_in

Loc = tuple[int | str, ...]
# Where, what, and optionally the ``ctx`` of ``Problem``.
ProblemAt = tuple[Loc, str] | tuple[Loc, str, dict[str, Any]]
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LINK_PLACEHOLDERS = frozenset({"sku", "offer_id", "variant_id"})
S = TypeVar("S", bound="Section")


class Problem(PydanticValueError):
    """One policy problem. ``ctx`` may carry ``at_key`` (report the key's line,
    not the value's) or ``first_index`` (the earlier item of a duplicate)."""

    code = "policy"
    msg_template = "{message}"


class _Problems(BaseModel):
    """Only there because a ValidationError needs a model to read its config from."""


def fail(*problems: ProblemAt) -> NoReturn:
    """Report several problems at once, each at a location inside the current value.

    pydantic prefixes the inner locations with the field's own, so a list can
    name the item at fault (``channels[1]``) and a rule the key (``message``).
    """
    errors = [ErrorWrapper(Problem(message=p[1], **(p[2] if len(p) > 2 else {})), loc=p[0]) for p in problems]
    raise ValidationError(errors, _Problems)


def type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string")):
        if isinstance(value, kind):
            return name
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def whole_number(value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {type_name(value)}")
    if value < minimum:
        raise ValueError(f"must be at least {minimum}, got {value}")
    return int(value)


def number(value: Any, minimum: Decimal, maximum: Decimal | None = None) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {type_name(value)}")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not result.is_finite():
        raise ValueError("must be a finite number")
    if maximum is None and result < minimum:
        raise ValueError(f"must be at least {minimum}, got {value}")
    if maximum is not None and not minimum <= result <= maximum:
        raise ValueError(f"must be between {minimum} and {maximum}, got {value}")
    return result


def share(value: Any) -> float:
    return float(number(value, Decimal(0), Decimal(1)))


def support(value: Any) -> float:
    result = share(value)
    if result <= 0:
        raise ValueError("must be above 0 (0 would keep every pair)")
    return result


def lift(value: Any) -> float:
    result = float(number(value, Decimal(0)))
    if result <= 1:
        # A lift of 1 or less means buying X says nothing about buying Y.
        raise ValueError(f"must be greater than 1, got {value}")
    return result


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        # YAML 1.2 reads on/off/yes/no as strings; say so rather than guess.
        raise ValueError(f"expected true or false, got {type_name(value)} {value!r}")
    return value


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {type_name(value)}")
    return str(value)


def offer_id(value: Any) -> str:
    result = text(value)
    if not _ID_RE.match(result):
        raise ValueError("use lowercase letters, digits, '-' or '_' (at most 64)")
    return result


def kind(value: Any) -> str:
    result = text(value)
    if result not in OFFER_KINDS:
        raise ValueError(f"must be one of {', '.join(OFFER_KINDS)}, got {result!r}")
    return result


def label(value: Any) -> str:
    result = text(value)
    problems = label_problems(result)
    if problems:
        fail(*(((), problem) for problem in problems))
    return result


def link(value: Any) -> str:
    result = text(value)
    try:
        unknown = set(placeholders_in(result)) - _LINK_PLACEHOLDERS
    except ValueError as exc:
        raise ValueError(f"bad template: {exc}") from None
    if unknown:
        raise ValueError(f"unknown placeholder(s) {sorted(unknown)} (known: sku, offer_id, variant_id)")
    return result


def names(value: Any, known: frozenset[str] | None = None, what: str = "value") -> frozenset[str]:
    """A string or a list of strings, optionally from a known set."""
    single = isinstance(value, str)
    if not single and not isinstance(value, (list, tuple)):
        raise ValueError(f"expected a string or a list of strings, got {type_name(value)}")
    items = [value] if single else list(value)
    problems: list[tuple[Loc, str]] = []
    for index, item in enumerate(items):
        where: Loc = () if single else (index,)
        if not isinstance(item, str) or not item.strip():
            problems.append((where, f"expected a string, got {type_name(item)}"))
        elif known is not None and item not in known:
            problems.append((where, f"unknown {what} {item!r} (known: {', '.join(sorted(known))})"))
    if problems:
        fail(*problems)
    return frozenset(str(item) for item in items)


def channel_switches(value: Any) -> dict[str, bool]:
    """``channels:``: on/off per known channel, plus ``default``."""
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping, got {type_name(value)}")
    allowed = KNOWN_CHANNELS | {"default"}
    problems: list[ProblemAt] = []
    for key, switch in value.items():
        if key not in allowed:
            problems.append(
                ((str(key),), f"unknown key (known: {', '.join(sorted(allowed))})", {"at_key": True})
            )
        elif not isinstance(switch, bool):
            problems.append(((key,), f"expected true or false, got {type_name(switch)} {switch!r}"))
    if problems:
        fail(*problems)
    return {str(key): bool(switch) for key, switch in value.items()}


def _type(name: str, expected: str, check: Callable[[Any], Any]) -> type:
    """A schema type: pydantic runs ``check`` on the raw value and keeps its result."""

    def validate(value: Any) -> Any:
        # pydantic reads a validator's signature: give it exactly (value).
        return check(value)

    def validators(cls: type) -> Iterator[Callable[[Any], Any]]:
        yield validate

    return type(name, (), {"expected": expected, "__get_validators__": classmethod(validators)})


# At run time each name is a schema type; for mypy it is the plain type its check
# returns (the pattern of pydantic's own conint).
if TYPE_CHECKING:
    Count = int
    Positive = int
    Share = float
    Support = float
    Lift = float
    Rate = Decimal
    Money = Decimal
    Percent = Decimal
    Flag = bool
    Text = str
    OfferId = str
    Kind = str
    Label = str
    Link = str
    Names = frozenset[str]
    ChannelNames = frozenset[str]
    StageNames = frozenset[str]
    ChannelSwitches = dict[str, bool]
else:
    Count = _type("Count", "a whole number", lambda v: whole_number(v, 0))
    Positive = _type("Positive", "a whole number", lambda v: whole_number(v, 1))
    Share = _type("Share", "a number", share)
    Support = _type("Support", "a number", support)
    Lift = _type("Lift", "a number", lift)
    Rate = _type("Rate", "a number", lambda v: number(v, Decimal(0), Decimal(1)))
    Money = _type("Money", "a number", lambda v: number(v, Decimal(0)))
    # docs/policy.md caps discounts at 90%.
    Percent = _type("Percent", "a number", lambda v: number(v, Decimal(0), Decimal(90)))
    Flag = _type("Flag", "true or false", flag)
    Text = _type("Text", "a non-empty string", text)
    OfferId = _type("OfferId", "a non-empty string", offer_id)
    Kind = _type("Kind", "a non-empty string", kind)
    Label = _type("Label", "a non-empty string", label)
    Link = _type("Link", "a non-empty string", link)
    Names = _type("Names", "a string or a list of strings", names)
    ChannelNames = _type("ChannelNames", "a list of channels", lambda v: names(v, KNOWN_CHANNELS, "channel"))
    StageNames = _type("StageNames", "a list of stages", lambda v: names(v, KNOWN_STAGES, "stage"))
    ChannelSwitches = _type("ChannelSwitches", "a mapping", channel_switches)


class Section(BaseModel):
    """A mapping of the policy file. Unknown keys are errors, so a typo never
    silently falls back to a default; so is a key left empty (``caps:``)."""

    expected: ClassVar[str] = "a mapping"

    class Config:
        extra = Extra.forbid
        allow_mutation = False

    @classmethod
    def validate(cls: type[S], value: Any) -> S:
        # pydantic would turn a list of pairs into a mapping; a policy file must
        # say what it means.
        if not isinstance(value, dict):
            raise ValueError(f"expected a mapping, got {type_name(value)}")
        odd = [key for key in value if not isinstance(key, str)]
        if odd:
            known = ", ".join(sorted(cls.__fields__))
            fail(*(((str(key),), f"unknown key (known: {known})", {"at_key": True}) for key in odd))
        return super().validate(value)

    @validator("*", pre=True, allow_reuse=True)
    def _present(cls, value: Any, field: ModelField) -> Any:
        if field.shape != SHAPE_SINGLETON:
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"expected a list, got {type_name(value)}")
        elif value is None:
            raise ValueError(f"expected {getattr(field.type_, 'expected', 'a value')}, got nothing")
        return value
