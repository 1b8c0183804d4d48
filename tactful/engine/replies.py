"""Classify a customer's reply to an offer, safety first.

Only a clear yes is ``accept`` (DESIGN, "Consent to buy"): a yes word with no
negation, hedge, contrast, question or other topic. Everything unclear is a
``decline``. A "no" followed by a real request is a ``compound_decline`` (record
the no, then answer the request in ``remainder``). A message about something
else is ``unrelated`` (the offer was ignored). "Stop suggesting things" in any
words is ``opt_out``, and "why am I seeing this?" is ``why``.

NLU intents may help only in the safe direction: they can turn an accept into a
decline, or an unclear reply into opt-out/why/unrelated, never anything into
accept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tactful.engine import reply_lexicon as L

ACCEPT = "accept"
DECLINE = "decline"
OPT_OUT = "opt_out"
COMPOUND = "compound_decline"
UNRELATED = "unrelated"
WHY = "why"

_EVENT_FOR = {
    ACCEPT: "accepted",
    DECLINE: "declined",
    COMPOUND: "declined",
    OPT_OUT: "opted_out",
    UNRELATED: "ignored",
    WHY: None,
}
PAYLOADS = {
    "/accept_offer": ACCEPT,
    "/decline_offer": DECLINE,
    "/stop_offers": OPT_OUT,
    "/why_offer": WHY,
}
NEGATIVE_INTENTS = frozenset({"deny", "decline_offer", "reject_offer"})
OPT_OUT_INTENTS = frozenset({"stop_offers", "opt_out", "stop_suggestions", "opt_out_offers"})
WHY_INTENTS = frozenset({"why_offer", "why_this_offer", "ask_why_offer"})
# Intents that say nothing about "something else"; any other intent is a topic.
NEUTRAL_INTENTS = frozenset(
    {
        "affirm",
        "accept_offer",
        "opt_in",
        "start_offers",
        "nlu_fallback",
        "out_of_scope",
        "thank",
        "thanks",
        "thankyou",
        "goodbye",
        "chitchat",
        "bot_challenge",
        "mood_great",
        "mood_unhappy",
        "inform",
    }
)


@dataclass(frozen=True)
class ReplyClass:
    kind: str
    # For compound_decline: the customer's other request, in their words.
    remainder: str | None = None
    # What decided it, for the trace and for tuning without guesswork.
    cues: tuple[str, ...] = ()

    @property
    def event_kind(self) -> str | None:
        """The offer event to record: accepted, declined, opted_out, ignored, or None."""
        return _EVENT_FOR[self.kind]

    @property
    def is_accept(self) -> bool:
        return self.kind == ACCEPT


# --- normalization --------------------------------------------------------------------------------
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_CONTRACTIONS = {
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "cant": "can't",
    "wont": "won't",
    "isnt": "isn't",
    "arent": "aren't",
    "wasnt": "wasn't",
    "werent": "weren't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "wouldnt": "wouldn't",
    "couldnt": "couldn't",
    "shouldnt": "shouldn't",
    "im": "i'm",
    "ive": "i've",
    "thats": "that's",
    "whats": "what's",
    "youre": "you're",
    "theres": "there's",
    "wheres": "where's",
    "whens": "when's",
    "hows": "how's",
    "lets": "let's",
    "u": "you",
    "pls": "please",
    "plz": "please",
    "thanx": "thanks",
    "thks": "thanks",
}
_SPELLED_OUT = (
    (re.compile(r"\bi am\b"), "i'm"),
    (re.compile(r"\bi will\b"), "i'll"),
    (re.compile(r"\bi would\b"), "i'd"),
    (re.compile(r"\bdo not\b"), "don't"),
    (re.compile(r"\bdoes not\b"), "doesn't"),
    (re.compile(r"\bcan ?not\b"), "can't"),
    (re.compile(r"\bwill not\b"), "won't"),
    (re.compile(r"\bid (like|love|rather|prefer)\b"), r"i'd \1"),
    (re.compile(r"\bill (take|have|pass|skip|get|think|buy|wait|decide)\b"), r"i'll \1"),
)
_KNOWN_WORDS = (
    L.STRONG_YES_WORDS
    | L.WEAK_YES_WORDS
    | L.NO_WORDS
    | {"please", "stop", "thanks", "so", "good", "nice", "sure", "great", "hmm", "later", "oh"}
)


def _squeeze(word: str) -> str:
    return re.sub(r"(\w)\1+", r"\1", word)


_SQUEEZED = {_squeeze(w): w for w in sorted(_KNOWN_WORDS, key=len)}
_TOKEN = re.compile(r"[\w']+(?:-[\w']+)*|[^\w\s]")
_CLAUSE_SPLIT = re.compile(r"[.!?;:]+|,|\s[-—–]+\s|[—–]|\bbut\b|\n", re.IGNORECASE)


def _fix_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word]
    if word not in _KNOWN_WORDS:
        squeezed = _squeeze(word)
        if squeezed in _SQUEEZED:
            return _SQUEEZED[squeezed]
    return word


def normalize(text: str) -> str:
    """Lower case, straight apostrophes, spelled-out contractions, squeezed letters."""
    folded = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    folded = re.sub(r"\s+", " ", folded).strip()
    folded = re.sub(r"[\w']+", _fix_word, folded)
    for pattern, replacement in _SPELLED_OUT:
        folded = pattern.sub(replacement, folded)
    return folded.replace("...", " … ")


def _words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if t[0].isalnum() or t[0] in "'_"]


def _symbols(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if not (t[0].isalnum() or t[0] in "'_")]


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


def _is_question(clause: str) -> bool:
    return bool(L.WH_START.search(clause) or L.AUX_START.search(clause))


# --- opt-out and opt-in -------------------------------------------------------------------------------
def _noun_blocked(words: list[str], i: int, clause: str) -> bool:
    """Is the offer noun at words[i] being refused ("no more offers")?"""
    if words[i] in ("promo", "promos") and words[i + 1 : i + 2] in (["code"], ["codes"]):
        return False
    if any(w in L.STOP_WORDS for w in words[max(0, i - 6) : i]):
        return True
    after = words[i + 1 : i + 4]
    if "off" in after and ({"turn", "switch"} & set(words)):
        return True
    near = words[max(0, i - 4) : i]
    negators = [w for w in near if w in L.NEGATING_WORDS]
    if not negators:
        return False
    if _is_question(clause) and not re.match(r"(?:can|could|would|will) you\b", clause):
        return False  # "don't you have any deals?" asks; it does not refuse
    lasting = {"again", "anymore", "ever", "more", "never", "any", "all"} & set(words)
    previous = words[i - 1] if i > 0 else ""
    if words[i] in L.SINGULAR_OFFER_NOUN and previous in {"this", "that", "the", "your"}:
        return bool(lasting)  # "not this offer" declines one offer only
    if negators == ["not"]:
        close = "not" in words[max(0, i - 2) : i]
        return close or "interested" in near
    return True


def opt_out_cue(norm: str, *, allow_bare_stop: bool = True) -> str | None:
    """The words that ask to stop offers, or None."""
    for clause in _clauses(norm):
        phrase = L.OPT_OUT_PHRASES.search(clause)
        if phrase:
            return phrase.group(0)
        words = _words(clause)
        if (
            allow_bare_stop
            and words
            and all(w in L.STANDALONE_STOP or w in L.STOP_FILLER for w in words)
            and any(w in L.STANDALONE_STOP for w in words)
        ):
            return clause
        for i, word in enumerate(words):
            if L.OFFER_NOUN.match(word) and _noun_blocked(words, i, clause):
                return clause
    return None


def opt_in_cue(norm: str) -> str | None:
    for clause in _clauses(norm):
        words = _words(clause)
        if re.search(r"\bopt(?:-| )?(?:me )?(?:back )?in\b", clause):
            return clause
        refusing = set(words) & (L.NEGATING_WORDS | L.STOP_WORDS - {"off"})
        if refusing:
            continue
        has_noun = any(L.OFFER_NOUN.match(w) for w in words) or "things" in words
        if has_noun and L.OPT_IN_PHRASES.search(clause) and "off" not in words:
            return clause
    return None


# --- decline said first ------------------------------------------------------------------------------
_LEAD_TOLERANT = re.compile(
    L.LEAD_DECLINE.pattern.replace("i'm", "i(?:'?m| am)")
    .replace("i'll", "i(?:'?ll| will)")
    .replace("i'd", "i(?:'?d| would)")
    .replace("don't", "(?:don'?t|do not)")
)


def _strip_lead(raw: str) -> tuple[list[str], str] | None:
    """Leading decline phrases and the rest of the message (original case)."""
    low = raw.translate(_APOSTROPHES).lower()
    if len(low) != len(raw):  # rare case-folding that changes length
        raw = low
    pos = len(low) - len(low.lstrip())
    leads: list[str] = []
    while pos < len(low):
        filler = L.LEAD_FILLER.match(low, pos)
        start = filler.end() if filler else pos
        match = _LEAD_TOLERANT.match(low, start)
        if not match or match.end() == start:
            break
        leads.append(match.group(0))
        pos = match.end()
        glue = L.LEAD_GLUE.match(low, pos)
        if glue:
            pos = glue.end()
    if not leads:
        return None
    return leads, raw[pos:].strip()


def _after_decline(leads: list[str], remainder: str) -> ReplyClass:
    cues = tuple(f"lead:{lead}" for lead in leads)
    norm = normalize(remainder)
    if not _words(norm):
        return ReplyClass(DECLINE, cues=cues)
    if L.TOPIC.search(norm):
        return ReplyClass(COMPOUND, remainder=remainder, cues=(*cues, "topic"))
    for clause in _clauses(norm):
        asks = "?" in norm or _is_question(clause) or L.REQUEST.search(clause)
        about_offer = L.OFFER_REFERENCE.search(clause)
        if asks and not about_offer:
            return ReplyClass(COMPOUND, remainder=remainder, cues=(*cues, "request"))
    # A reason for the no ("too expensive", "I'll wait"), or a question about the offer.
    return ReplyClass(DECLINE, cues=(*cues, "reason"))


# --- the clear yes -----------------------------------------------------------------------------------
# Idioms whose negative word means yes.
_YES_IDIOMS = re.compile(r"\bwhy not\b|\bwithout a doubt\b|\bno doubt\b")


def _without_idioms(text: str) -> str:
    return _YES_IDIOMS.sub(" ", text)


def _clear_yes(norm: str) -> tuple[bool, str]:
    text = L.ADD_TO_ORDER.sub(" add it ", norm)
    words = _words(text)
    symbols = _symbols(text)
    # One-letter "y" / "k" mean yes only as (nearly) the whole message: in
    # "y r u suggesting this" the y is "why".
    short_message = len(words) <= 2
    strong = [w for w in words if w in L.STRONG_YES_WORDS and (len(w) > 1 or short_message)]
    phrase = L.YES_PHRASES.search(text)
    emoji = [s for s in symbols if s in L.YES_EMOJI]
    weak = [w for w in words if w in L.WEAK_YES_WORDS and (len(w) > 1 or short_message)]
    if not (strong or phrase or emoji or weak):
        return False, "no yes word"
    if not (strong or phrase or emoji) and L.THANKS.search(text):
        return False, "acknowledgement, not a yes"
    checks = (
        (len(words) > 20, "too long for a plain yes"),
        (bool(L.NEGATION.search(_without_idioms(text))), "negation"),
        (bool(L.HEDGES.search(text)) or bool(set(symbols) & L.HEDGE_MARKS), "hedge"),
        (bool(L.CONTRAST.search(text)), "contrast"),
        ("?" in text, "question mark"),
        (any(_is_question(c) for c in _clauses(text)), "question"),
        (bool(L.TOPIC.search(text)), "other topic"),
        (bool(L.DECLINE_PHRASES.search(text)), "decline phrase"),
        (bool(set(symbols) & L.NO_EMOJI), "negative emoji"),
    )
    for failed, why in checks:
        if failed:
            return False, why
    if strong:
        return True, strong[0]
    if phrase:
        return True, phrase.group(0)
    return True, (emoji or weak)[0]


# --- everything else -----------------------------------------------------------------------------------
def _why_cue(norm: str) -> str | None:
    for clause in _clauses(norm):
        if L.WHY_STANDALONE.search(clause) and ("?" in clause or len(_words(clause)) <= 8):
            return clause
        match = L.WHY.search(clause)
        if not match:
            continue
        words = _words(clause)
        if len(words) <= 3 or L.WHY_OBJECT.search(clause[match.end() :]):
            return clause
    return None


def _declines(clause: str) -> bool:
    words = _words(clause)
    if L.DECLINE_PHRASES.search(clause) or set(_symbols(clause)) & L.NO_EMOJI:
        return True
    if words and (words[0] in L.NO_WORDS or words[-1] in L.NO_WORDS):
        return True
    return len(words) <= 3 and bool(set(words) & L.NO_WORDS)


def _classify_text(raw: str, norm: str) -> ReplyClass:
    cue = opt_out_cue(norm)
    if cue:
        return ReplyClass(OPT_OUT, cues=(f"opt_out:{cue}",))
    lead = _strip_lead(raw)
    if lead is not None:
        return _after_decline(*lead)
    cue = _why_cue(norm)
    if cue:
        return ReplyClass(WHY, cues=(f"why:{cue}",))
    yes, detail = _clear_yes(norm)
    if yes:
        return ReplyClass(ACCEPT, cues=(f"yes:{detail}",))
    raw_clauses = _clauses(raw)
    norm_clauses = [normalize(c) for c in raw_clauses] or [norm]
    declining = [c for c in norm_clauses if _declines(c) and not L.TOPIC.search(c)]
    other = [raw_clauses[i] for i, c in enumerate(norm_clauses) if L.TOPIC.search(c)]
    if declining and other:
        return ReplyClass(COMPOUND, remainder=", ".join(other), cues=("decline+topic",))
    if declining:
        return ReplyClass(DECLINE, cues=("decline phrase", f"not yes: {detail}"))
    if L.GREETING.search(norm) or L.TOPIC.search(norm):
        return ReplyClass(UNRELATED, cues=("other topic",))
    for clause in norm_clauses:
        asks = "?" in clause or _is_question(clause) or L.REQUEST.search(clause)
        if asks and len(_words(clause)) >= 3 and not L.OFFER_REFERENCE.search(clause):
            return ReplyClass(UNRELATED, cues=("question about something else",))
    return ReplyClass(DECLINE, cues=("unclear", f"not yes: {detail}"))


def _apply_intent(result: ReplyClass, intent: str | None) -> ReplyClass:
    """Let an NLU intent move a reply only toward the safe side."""
    if not intent:
        return result
    hint = f"intent:{intent}"
    if result.kind == ACCEPT and (intent in NEGATIVE_INTENTS | OPT_OUT_INTENTS | WHY_INTENTS):
        # Rules and NLU disagree about a yes: that is unclear, and unclear is no.
        return ReplyClass(DECLINE, cues=(*result.cues, hint, "conflict"))
    unclear = result.kind == DECLINE and "unclear" in result.cues
    if unclear and intent in OPT_OUT_INTENTS:
        return ReplyClass(OPT_OUT, cues=(*result.cues, hint))
    if unclear and intent in WHY_INTENTS:
        return ReplyClass(WHY, cues=(*result.cues, hint))
    known = NEGATIVE_INTENTS | OPT_OUT_INTENTS | WHY_INTENTS | NEUTRAL_INTENTS
    if unclear and intent not in known:
        return ReplyClass(UNRELATED, cues=(*result.cues, hint))
    if result.kind == UNRELATED and intent in NEGATIVE_INTENTS:
        return ReplyClass(DECLINE, cues=(*result.cues, hint))
    return result


def classify_offer_reply(text: str, nlu_intent: str | None = None) -> ReplyClass:
    """Classify the customer's message that follows an offer."""
    stripped = (text or "").strip()
    payload = PAYLOADS.get(stripped.lower())
    if payload is not None:
        return ReplyClass(payload, cues=("button",))
    norm = normalize(stripped)
    if not norm:
        return ReplyClass(DECLINE, cues=("unclear", "empty"))
    return _apply_intent(_classify_text(stripped, norm), nlu_intent)


def classify_consent_request(text: str) -> str | None:
    """ "opt_out", "opt_in" or None for a message outside an offer.

    A bare "stop" is not an opt-out here: away from an offer it may mean
    anything (stop the current flow, stop a subscription).
    """
    stripped = (text or "").strip()
    if stripped.lower() == "/stop_offers":
        return "opt_out"
    if stripped.lower() in ("/start_offers", "/opt_in"):
        return "opt_in"
    norm = normalize(stripped)
    if not norm:
        return None
    if opt_out_cue(norm, allow_bare_stop=False):
        return "opt_out"
    if opt_in_cue(norm):
        return "opt_in"
    return None
