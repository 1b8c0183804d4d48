"""Hand rules that may only move the model's answer toward the safe side.

* An accept needs a clear yes in the words (a yes word, "add it", "I'll take
  it", the SMS "1") and no hedge, no negation of it, and not only a request
  for information. Otherwise the reply is not an accept.
* Opting out of every suggestion on every channel needs words about
  suggestions or offers, or a bare "stop" said to the offer: "stop the order"
  and "handoff" never opt anyone out.
* A pure acknowledgement (thanks, ok, an emoji) is never a decline.
"""

from __future__ import annotations

import re


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


YES = _any(
    r"\b(?:ye+s+|yeah+|yep+|yup+|ya+y|aye|sure|certainly|absolutely|definitely|of course|ofc|indeed)\b",
    r"\b(?:go (?:on|ahead|for it)|do it|please do|why not|sounds (?:good|great|perfect|fine)|deal)\b",
    r"\b(?:add (?:it|that|this|them|one|both|the|a|an|\d+)|put (?:it|that|one|them) in|include (?:it|that))\b",
    r"\b(?:i'll (?:take|have|get|buy) (?:it|that|one|them|both|the|a|an|\d+)|take (?:it|that|my money))\b",
    r"\b(?:i'd (?:like|love) (?:it|that|one|them|both|the|a|an|\d+|to (?:add|get|have|buy|take|upgrade))"
    r"|i want (?:it|that|one|them|both|the|to (?:add|upgrade)))\b",
    r"\b(?:upgrade me|let'?s do it|let's go|ok(?:ay)? (?:add|go|do|sure|yes|upgrade)|alright(?:,)? add)\b",
    r"\b(?:count me in|i'm in|love (?:it|that)|perfect|great idea|good idea|not a bad idea|yes please)\b",
    r"\b(?:confirm\w*|agreed?|works for me|go for (?:it|that|the)|i'll go for|may as well|i'm sold|sold)\b",
    r"\b(?:sign me up|i accept|accepted|approved?|bring it|yes sir|yessir|i'll have|pop (?:it|that|one) in)\b",
    r"\b(?:bundle|throw|chuck|stick|upgrade|put) (?:it|that|them|me|one|in|on)\b",
    r"^\s*1\s*(?:please|thanks|pls|!|\.|$)",
)
# Words that make a yes conditional or postpone it.
HEDGE = _any(
    r"\b(?:maybe|perhaps|possibly|might|not sure|unsure|think about|thinking|consider|later|someday|sometime)\b",
    r"\b(?:let me (?:check|think|see|ask)|i'll (?:check|think|see|ask|look|have a look|take a look|get back))\b",
    r"\b(?:ask my|check with|run it by|get my \w+ to|depends|if it|only if|once i|after i|not yet|not now)\b",
    r"🤔|🤷",
)
# Sarcasm: a yes word that means no.
SARCASM = _any(
    r"\byeah,? right\b",
    r"\bas if\b",
    r"\bwhen pigs fly\b",
    r"\bmade of money\b",
    r"\bin your dreams\b",
    r"\bdream on\b",
    r"\bnice try\b",
    r"\bnot a chance\b",
)
NEGATION = _any(
    r"\b(?:no|not|never|don't|doesn't|didn't|won't|can't|nothing|none|neither|without|pass|skip)\b",
    r"\b(?:somewhere else|anywhere else|elsewhere|another (?:shop|store|time))\b",
)
# Negations that still mean yes.
POSITIVE_IDIOMS = _any(
    r"\bwhy not\b",
    r"\bnot a bad idea\b",
    r"\b(?:no|not a) problem\b",
    r"\bno doubt\b",
    r"\bcan't wait\b",
    r"\bcan't say no\b",
    r"\bdon't mind\b",
    r"\bnot (?:bad|too bad)\b",
)
# Asking about the offered item itself: never an accept, wherever it stands
# ("sure, tell me more" is a question), because the customer is still deciding.
ABOUT_THE_ITEM = _any(
    r"\b(?:what is|what's|what are|what does|what do|whats)\b",
    r"\b(?:how much|how many|how big|how long|which one|tell me more|know more|more info|more details|details)\b",
    r"\b(?:explain|describe|specs?|information|info|price|cost|compatible|compatibility|warranty)\b",
    r"\b(?:does it|do they|is it|are they)\s+(?:come|work|fit|have|include|support|compatible|waterproof)",
    r"\b(?:i'll take a look|have a look|take a look|let me see)\b",
)
# Any other question ("can it arrive by Friday?") blocks a yes only when it comes first.
QUESTION = _any(r"\b(?:does it|do they|is it|will it|would it|can it|could it)\b.*\?")
OPT_OUT_WORDS = _any(
    r"\b(?:suggest\w*|rec+om+end\w*|offer\w*|upsell\w*|upsold|up-s[eo]l\w*|cross-?s[eo]l\w*|promo\w*|deals?|ads|adverts?)\b",
    r"\b(?:advertis\w*|sales? pitch\w*|pitch\w*|selling|sell me|sold to|marketing|spam\w*|extras|add-?ons?)\b",
    r"\b(?:products? (?:suggestions|ideas)|these (?:messages|things)|push\w* (?:products?|stuff|things|sales?)|pushy)\b",
    # The same in the shop's other customer languages (French, German, Spanish, Italian, Dutch).
    r"\b(?:offres?|publicit[ée]s?|angebot\w*|vorschl[äa]g\w*|werbung|empfehlung\w*|ofertas?)\b",
    r"\b(?:sugerencias?|promociones|publicidad|offerte|suggerimenti|pubblicit[àa]|aanbieding\w*|suggesties|reclame)\b",
)
# "no promo code worked", "my voucher": sentences about a coupon, not about suggestions.
COUPON = re.compile(r"\b(?:codes?|coupons?|vouchers?)\b")
# Ways to say "stop" (to the offer, or to suggestions in general).
STOP = re.compile(
    r"\b(?:stop|stahp|quit|cease|enough|no more|no|don't|never|turn (?:it |them )?off|switch off|disable|mute"
    r"|opt (?:me )?out|opt-out|unsubscribe|unsub|remove me|take me off|leave me alone|cut (?:it )?out"
    r"|knock it off|not interested in|hate|done with|sick of|tired of)\b"
)
# What may stand beside a stop word when the stop is said to the offer itself
# ("stop", "no more of that"); any other word names something else to stop
# ("stop the order") and is not an opt-out.
_STOP_ONLY = re.compile(
    r"\b(?:stop|stahp|please|pls|it|that|this|these|those|them|now|again|ever|already|just|ok|thanks"
    r"|with|the|of|more|any|no|enough|quit|cease|unsubscribe|unsub|opt|out|me|do|don't|cut|knock|off"
    r"|mute|i|want|to)\b|[^\w\s]"
)
# Outside an offer, "no" or "don't" alone is too weak: they must govern the offer words.
STOP_SUGGESTIONS = re.compile(
    r"\b(?:stop|stahp|quit|cease|enough|turn (?:it |them )?off|switch off|disable|mute|opt (?:me )?out|opt-out"
    r"|unsubscribe|unsub|remove me|take me off|leave me alone|cut (?:it )?out|not interested in|hate|done with"
    r"|sick of|tired of)\b"
    r"|\b(?:no|no more|without)\s+(?:\w+\s+){0,2}?(?:suggest|rec+om+end|offer|upsell|promo|deal|pitch|ad|marketing)"
    r"|\b(?:don't|do not|never)\s+(?:\w+\s+){0,2}?(?:send|show|suggest|rec+om+end|offer|pitch|upsell|sell|want|push)"
    r"|\b(?:can|could|would|will) you (?:please )?(?:not|stop)\s+(?:\w+\s+)?(?:send|show|suggest|rec+om+end|offer|pitch"
    r"|upsell|sell|push)"
    # French, German, Spanish, Italian, Dutch.
    r"|\b(?:arr[êe]t\w*|stop+|plus de|pas de|assez|keine?|nicht mehr|aufh[öo]ren|h[öo]r\w* auf|genug|basta|no m[áa]s"
    r"|deja de|dejen de|smett\w*|niente|geen|ophouden)\b"
)
# Strong stop words: said to an open offer with nothing else to stop ("no. stop.",
# "unsubscribe"), they opt out. "no" or "never" alone are not among them.
STRONG_STOP = re.compile(
    r"\b(?:stop|stahp|quit|cease|unsubscribe|unsub|opt (?:me )?out|opt-out|turn (?:it |them )?off|knock it off"
    r"|cut (?:it )?out|leave me alone)\b"
)
QUESTION_START = re.compile(r"^(?:do|does|don't|are|is|have|can|could|would|will|what|which|any)\b.*\?\s*$")
# "I don't want the add-on": one offer named, not suggestions in general (a decline, unless a
# strong stop word is said too: "stop this offer").
THIS_OFFER_ONLY = re.compile(
    r"\b(?:the|this|that|your) (?:add-?on|offer|upgrade|suggestion|recommendation|deal|extra|one)\b"
)
# ...except a request put as a question: "can you stop sending me offers?".
REQUEST_AS_QUESTION = re.compile(r"^(?:can|could|would|will) you (?:please )?(?:not|stop|quit)\b")
# Nothing but thanks, ok, laughter, filler or emoji.
ACKNOWLEDGEMENT = re.compile(
    r"^(?:\W|\s|ok|ok ok|thanks|thank you|cheers|great|cool|nice|lol|haha|hmm+|hm+|ah|oh|alright|fine|right|"
    r"noted|got it|i see|great thanks|ok thanks|thanks a lot|many thanks|👍|🙂|😊|😀|🙏|❤️|😂)*$"
)


def clear_yes(norm: str) -> bool:
    """A yes the customer actually said, unhedged and not negated."""
    if not YES.search(norm):
        return False
    if HEDGE.search(norm) or SARCASM.search(norm):
        return False
    negation_left = NEGATION.search(POSITIVE_IDIOMS.sub(" ", norm))
    if negation_left:
        return False
    return not _information_only(norm)


def _information_only(norm: str) -> bool:
    """A request for information about the item, or a question asked before any yes."""
    if ABOUT_THE_ITEM.search(norm):
        return True
    found = QUESTION.search(norm)
    if found is None:
        return False
    first_yes = YES.search(norm)
    return first_yes is None or found.start() < first_yes.start()


def opts_out(norm: str) -> bool:
    """Said to an offer: words about suggestions or offers, or a stop with nothing else to stop."""
    if OPT_OUT_WORDS.search(norm) and not COUPON.search(norm):
        return True
    return bool(STOP.search(norm)) and not _STOP_ONLY.sub(" ", norm).strip()


def opts_out_anywhere(norm: str) -> bool:
    """Outside an offer, only a stop about suggestions or offers in general opts out (never a
    question, a sentence about a coupon or a no to one named offer), or a bare "unsubscribe"."""
    if _only_unsubscribes(norm):
        return True
    return bool(
        STOP_SUGGESTIONS.search(norm)
        and OPT_OUT_WORDS.search(norm)
        and not (QUESTION_START.match(norm) and not REQUEST_AS_QUESTION.match(norm))
        and not COUPON.search(norm)
        and not (THIS_OFFER_ONLY.search(norm) and not STRONG_STOP.search(norm))
    )


# Clauses of a message that may ask for several things at once.
_CLAUSE = re.compile(r"[.!?;,:]+|\s+(?:but|and|also|though|then)\s+")
# The most words between a stop and what it stops, in "please stop sending me these offers".
_GOVERNED_WITHIN = 4


def opts_out_in_passing(norm: str) -> bool:
    """Said while the NLU heard something else, with no offer open: only a clause that is
    itself a stop of suggestions opts out. "Any deals? I hate paying full price" and "stop,
    what's the best deal?" do not; "no marketing please, where's my order?" does."""
    if _only_unsubscribes(norm):
        return True
    return any(_stops_suggestions(clause.strip()) for clause in _CLAUSE.split(norm) if clause.strip())


def besides_opt_out(norm: str) -> str:
    """The clauses of ``norm`` that do not themselves stop suggestions: where a request said
    with an opt-out is ("stop the ads, where's my order?"), and not in what the stop names
    ("stop the shipping offers" asks nothing about shipping)."""
    clauses = (clause.strip() for clause in _CLAUSE.split(norm))
    return ". ".join(clause for clause in clauses if clause and not _stops_suggestions(clause))


def _stops_suggestions(clause: str) -> bool:
    stop = STOP_SUGGESTIONS.search(clause)
    if stop is None or re.search(r"\bcart\b", clause) or not opts_out_anywhere(clause):
        return False
    # What is stopped comes after the stop word, a few words on at most.
    stopped = OPT_OUT_WORDS.search(clause, stop.start())
    return stopped is not None and len(clause[stop.end() : stopped.start()].split()) <= _GOVERNED_WITHIN


def _only_unsubscribes(norm: str) -> bool:
    # "unsubscribe" / "opt me out" with nothing else: there is nothing else it could mean
    # here; "unsubscribe me from the Pro plan" names something else and is not an opt-out.
    return (
        bool(re.search(r"\b(?:unsubscribe|unsub|opt (?:me )?out|opt-out)\b", norm))
        and not _STOP_ONLY.sub(" ", norm).strip()
    )


def clearly_opts_out(norm: str) -> bool:
    """Said to an open offer, an opt-out the model must not overrule: words that would opt
    out with no offer open, or a strong stop with nothing else to stop ("no. stop.")."""
    if opts_out_in_passing(norm):
        return True
    return bool(STRONG_STOP.search(norm)) and not _STOP_ONLY.sub(" ", norm).strip()


def opts_in(norm: str) -> bool:
    return bool(
        re.search(
            r"\b(?:start|resume|turn on|again|back on|back in|opt (?:me )?in|re-?enable|enable|allow|ok to|can)\b",
            norm,
        )
        and OPT_OUT_WORDS.search(norm)
        and not STOP_SUGGESTIONS.search(norm)
        and not COUPON.search(norm)
    )


def says_no_somehow(norm: str) -> bool:
    """A negation or a hedge: the ways of saying no without the word "no"."""
    return bool(NEGATION.search(POSITIVE_IDIOMS.sub(" ", norm)) or HEDGE.search(norm))


def only_acknowledges(norm: str) -> bool:
    return bool(ACKNOWLEDGEMENT.match(norm))
