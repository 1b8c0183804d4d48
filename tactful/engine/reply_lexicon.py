"""Words and phrases the reply classifier looks for.

Written from how people say yes, no and "stop" in chat. No entry is copied from
the held-out file (tests/heldout/offer_replies.yml), but the same author wrote
that file just before these lists, so its scores are optimistic. Judge changes
by the false-accept rate first. Patterns run on normalized text: lower case,
straight apostrophes, contractions spelled out ("dont" -> "don't") and letter
runs squeezed ("yesss" -> "yes").
"""

from __future__ import annotations

import re


def _words(*items: str) -> str:
    return r"\b(?:" + "|".join(items) + r")\b"


# --- yes ------------------------------------------------------------------------------------
STRONG_YES_WORDS = frozenset(
    {
        "yes",
        "yep",
        "yup",
        "yeah",
        "yea",
        "ya",
        "yah",
        "yas",
        "yeh",
        "ye",
        "y",
        "yesh",
        "yessir",
        "sure",
        "surely",
        "absolutely",
        "definitely",
        "certainly",
        "affirmative",
        "indeed",
        "deal",
        "sold",
        "accept",
        "accepted",
        "confirm",
        "confirmed",
        "ofcourse",
        "yay",
        # Common slips of the thumb on a phone keyboard.
        "yse",
        "yeas",
        "yus",
        "yis",
        "shure",
        "sur",
        "ys",
    }
)
# "ok" after a support answer may just acknowledge the answer, so on its own with
# "thanks" it is not a yes to the offer.
WEAK_YES_WORDS = frozenset(
    {"ok", "okay", "okey", "okie", "k", "kk", "alright", "aight", "fine", "cool", "perfect"}
)
YES_PHRASES = re.compile(
    _words(
        r"of course",
        r"all right",
        r"go for it",
        r"go ahead",
        r"go on",
        r"do it",
        r"please do",
        r"add (?:it|one|that|this|them|the \w+|a \w+|to (?:my )?(?:cart|basket|order))",
        r"put (?:it|one|that) in",
        r"(?:chuck|bung|bang|stick|pop|throw|toss|slap) (?:it|one|that|them) (?:in|on)\w*",
        r"ad (?:it|one)",
        r"(?:please )?proceed",
        r"include (?:it|one|that|them|the \w+)",
        r"let's do (?:it|that|this|the \w+)",
        r"upgarde (?:me|my|it)",
        r"add (?:ti|itt|iy)",
        r"i'll (?:take|have|buy|get(?! back))",
        r"i will (?:take|have|buy|get(?! back))",
        r"take (?:it|one|that)",
        r"i want (?:it|one|that|this|the \w+)",
        r"i'd (?:like|love)",
        r"i would (?:like|love)",
        r"love (?:it|that)",
        r"sounds (?:good|great|perfect|nice|fine|lovely|fair)",
        r"(?:great|good|nice) (?:idea|deal|call)",
        r"(?:that|it) works",
        r"works for me",
        r"count me in",
        r"sign me up",
        r"i'm in",
        r"let's (?:do it|go|do this|do that)",
        r"(?:that|it) would be (?:great|good|nice|lovely|perfect|helpful)",
        r"(?:that'd|that'll|that will) be (?:great|good|nice|lovely|perfect|helpful|brilliant|amazing)",
        r"sounds like a plan",
        r"take my money",
        r"upgrade (?:me|my|it)",
        r"please upgrade",
        r"why not",
        r"need (?:that|it|one)",
        r"buy (?:it|one)",
        r"convinced",
        r"go on then",
    )
)
YES_EMOJI = frozenset({"👍", "✅", "👌", "🙌", "💯", "🤝", "✔", "☑"})
THANKS = re.compile(_words(r"thanks?", r"thank you", r"thank u", r"ty", r"thx", r"cheers", r"ta"))
# Phrases that put something in the cart and mention an order word innocently.
ADD_TO_ORDER = re.compile(
    r"\b(?:add|put|stick|pop|bundle|include|throw|chuck|bang|bung)"
    r"(?: (?:it|one|that|this|them|the \w+))? ?(?:to|in|into|on|with) (?:my |the )?(?:order|cart|basket)\b"
)

# --- no and not-sure ----------------------------------------------------------------------------
NEGATION = re.compile(
    _words(
        r"no",
        r"not",
        r"nope",
        r"nah",
        r"naw",
        r"nay",
        r"never",
        r"none",
        r"nothing",
        r"without",
        r"cannot",
        r"\w+n't",
        r"nty",
    )
)
HEDGES = re.compile(
    _words(
        r"maybe",
        r"perhaps",
        r"possibly",
        r"probably",
        r"later",
        r"sometime",
        r"someday",
        r"unsure",
        r"h+m+",
        r"erm",
        r"u+m+",
        r"u+h+",
        r"eh",
        r"meh",
        r"idk",
        r"dunno",
        r"think",
        r"thinking",
        r"guess",
        r"wait",
        r"if",
        r"unless",
        r"depends",
        r"whether",
        r"might",
        r"kinda",
        r"sorta",
        r"consider",
        r"decide",
        r"let me",
        r"tomorrow",
        r"next (?:time|week|month|year)",
        r"another",
        r"first",
    )
)
HEDGE_MARKS = frozenset({"🤔", "🤷", "…"})
CONTRAST = re.compile(_words(r"but", r"though", r"however", r"except", r"although", r"only if"))
# Explicit no: enough on its own to record a decline.
DECLINE_PHRASES = re.compile(
    _words(
        r"no thanks?",
        r"no thank you",
        r"not (?:now|today|interested|really|right now|this time|for me|at all|yet|sure)",
        r"not my (?:thing|style|cup of tea)",
        r"i'm (?:good|ok|okay|fine|all set|alright|set)",
        r"all (?:good|set)",
        r"i'll pass",
        r"i will pass",
        r"pass on (?:it|that|this)",
        r"i'll skip",
        r"skip (?:it|this|that)",
        r"no need",
        r"(?:don't|do not) (?:need|want|think so|add|bother)",
        r"rather not",
        r"too (?:expensive|pricey|much|dear)",
        r"can't afford",
        r"no budget",
        r"already (?:have|got|own|bought)",
        r"(?:have|got|own) (?:one|it|that|a \w+(?: \w+)?) already",
        r"(?:probably|definitely|absolutely|certainly|of course) not",
        r"no way",
        r"maybe (?:later|another time|next time|not)",
        r"another time",
        r"(?:some )?other time",
        r"(?:i'll|i will|let me) think",
        r"think about it",
        r"not sure",
        r"(?:i )?don't know",
        r"idk",
        r"dunno",
        r"doesn't interest",
        r"not interested",
        r"meh",
        r"that's (?:all|it)",
        r"please don't",
        r"somewhere else",
        r"elsewhere",
        r"check with",
        r"decide later",
        # Sarcasm: a yes word that means no.
        r"yeah,? right",
        r"as if",
        r"made of money",
        r"nice try",
        r"yeah,? no(?! problem| worries)",
        r"dream on",
        r"in your dreams",
        r"sure,? because",
        r"sure,? jan",
    )
)
NO_WORDS = frozenset({"no", "nope", "nah", "naw", "nay", "nty", "noo", "nop"})
NO_EMOJI = frozenset({"👎", "❌", "🙅", "✋", "🚫", "⛔", "✖"})

# A decline said first, which may be followed by something else (a compound reply).
# Used with pattern.match(text, pos), which anchors at pos (so no "^").
LEAD_FILLER = re.compile(r"(?:(?:uh+|u+m+|h+m+|erm+|oh+|ah+|well|sorry|actually)\b[\s,.!…-]*)+")
LEAD_DECLINE = re.compile(
    r"(?:"
    r"(?:no+|nope|nah+|naw|nay|nty|nop)\b(?: (?:thanks?|thank you|thank u|thx|ty|tnx|ta|sorry|please|pls)\b)*"
    r"|not (?:now|right now|today|at the moment|this time|for me|interested|really|at all|sure|yet)\b"
    r"(?: (?:interested|thanks?|thank you|thx|ty|yet|really))*"
    r"|i'm (?:good|ok|okay|fine|all set|alright|set)\b(?: (?:thanks?|thank you|thx|ty|for now))*"
    r"|all (?:good|set)\b(?: (?:thanks?|thank you|thx|ty))*"
    r"|(?:i'll |i will )?(?:pass|skip)\b(?: (?:it|on (?:it|that|this)|thanks?|thank you))*"
    r"|(?:maybe|perhaps|possibly)\b(?: (?:later|another time|next time|not))?"
    r"|later\b"
    r"|(?:i'd )?rather not\b"
    r"|(?:i )?(?:don't|do not) (?:need|want) (?:it|that|one|this|any)\b"
    r"|(?:thanks?|thank you|ty|thx),? but no\b(?: thanks?)?"
    r")"
)
# What may sit between a lead decline and the rest: punctuation, emoji, "but", "thanks".
LEAD_GLUE = re.compile(
    r"(?:[\s,.;:!?…\-—–()]|[^\w\s'\"]|\b(?:but|and|also|though|however|so|just|thanks?|thank you|ty|thx)\b)+"
)

# --- something else -----------------------------------------------------------------------------
TOPIC = re.compile(
    _words(
        r"orders?",
        r"deliver\w*",
        r"packages?",
        r"parcels?",
        r"ship\w*",
        r"track\w*",
        r"refund\w*",
        r"return\w*",
        r"exchange\w*",
        r"cancel\w*",
        r"broken",
        r"damaged",
        r"faulty",
        r"defective",
        r"problems?",
        r"issues?",
        r"errors?",
        r"crash\w*",
        r"password\w*",
        r"log ?in",
        r"login",
        r"sign ?in",
        r"accounts?",
        r"e-?mails?",
        r"address",
        r"invoices?",
        r"receipts?",
        r"bill",
        r"billing",
        r"charged",
        r"charges",
        r"payments?",
        r"warranty",
        r"guarantee",
        r"agent",
        r"human",
        r"person",
        r"someone",
        r"support",
        r"manager",
        r"complain\w*",
        r"wrong",
        r"missing",
        r"late",
        r"lost",
        r"stolen",
        r"opening (?:hours|times)",
        r"(?:open|close|closed) (?:today|tomorrow|on)",
        r"app",
        r"website",
        r"wifi",
        r"wi-fi",
        r"firmware",
        r"manual",
        r"renew\w*",
        r"subscription",
        r"(?:promo|discount|voucher) codes?",
        r"gift cards?",
        r"price match\w*",
        r"phone number",
        r"in stock",
        r"help",
        r"size",
        r"pick ?up",
        r"store",
        r"doesn't work",
        r"won't (?:turn on|work|start|charge)",
        r"not working",
        r"stopped working",
    )
)
GREETING = re.compile(r"^(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|yo)\b")
WH_START = re.compile(r"^(?:where|when|what|which|who|whom|whose|how)\b|^why\b(?! not)")
AUX_START = re.compile(
    r"^(?:is|are|was|were|does|did|can|could|will|would|should|shall|has|have|may|"
    r"do (?:you|i|we|they|u|my|your))\b"
)
REQUEST = re.compile(
    _words(
        r"can you",
        r"could you",
        r"would you",
        r"will you",
        r"can i",
        r"could i",
        r"i need",
        r"i want to",
        r"i'd like to",
        r"i would like to",
        r"question",
        r"tell me",
        r"want to know",
        r"wondering",
    )
)
# Words that point back at the offer ("is it any good?").
OFFER_REFERENCE = re.compile(_words(r"it", r"that", r"this", r"one", r"them", r"these", r"those"))

# --- why ---------------------------------------------------------------------------------------------
WHY = re.compile(
    r"(?:^|\b)(?:"
    r"why\b(?! not)(?:'d|'s)?"
    r"|how come"
    r"|what(?:'s| is) (?:this|that) (?:about|for)"
    r"|what(?:'s| is) the reason"
    r"|what made you"
    r"|how (?:did|do) you (?:pick|choose|chose|select|decide)"
    r"|how was (?:this|that|it) (?:chosen|picked|selected)"
    r"|reason for (?:this|that|the)"
    r"|what(?:'s| is) (?:this|that|it) based on"
    r"|(?:is|was) (?:this|that|it) based on"
    r"|on what basis"
    r"|where (?:did|does) (?:this|that|it)(?: \w+)? come from"
    r"|how (?:did|do) you know"
    r")"
)
# Asking where a suggestion came from, with no "why" word needed.
WHY_STANDALONE = re.compile(
    _words(
        r"based on",
        r"what (?:data|info\w*)",
        r"how (?:do|did) you know",
        r"why do you think",
        r"because of my",
        r"how was (?:this|that|it)(?: \w+)? chosen",
    )
)
WHY_OBJECT = re.compile(
    _words(
        r"this",
        r"that",
        r"it",
        r"these",
        r"me",
        r"here",
        r"offer\w*",
        r"suggest\w*",
        r"recommend\w*",
        r"seeing",
        r"showing",
        r"getting",
        r"shown",
        r"offered",
        r"being",
        r"sell\w*",
        r"pick\w*",
        r"chose\w*",
    )
)

# --- stop suggesting things -----------------------------------------------------------------------------
OFFER_NOUN = re.compile(
    r"^(?:offers|offering|offered|offer|suggest\w*|sugest\w*|sug+es+t\w*|rec+om+\w*|reco+m\w*|"
    r"recs|upsell\w*|up-sell\w*|cross-?sell\w*|promos?|promotions?|promotional|promoting|"
    r"ads|adverts?|advertis\w*|marketing|deals|pitch\w*|sales|sell|selling|spam\w*|"
    r"tips|extras|add-ons|addons)$"
)
# Singular nouns that can name the one offer on screen ("not this offer").
SINGULAR_OFFER_NOUN = frozenset({"offer", "suggestion", "recommendation", "deal", "pitch"})
# Words that reach forward to an offer noun: "stop ... offers", "no more ... ads".
STOP_WORDS = frozenset(
    {
        "stop",
        "stahp",
        "stopp",
        "stpo",
        "quit",
        "cease",
        "enough",
        "mute",
        "disable",
        "unsubscribe",
        "remove",
        "off",
        "alone",
        "done",
        "sick",
        "tired",
        "fed",
        "cut",
        "spamming",
    }
)
NEGATING_WORDS = frozenset({"no", "never", "don't", "not", "without"})
STANDALONE_STOP = frozenset({"stop", "stahp", "stopp", "unsubscribe", "unsub"})
STOP_FILLER = frozenset({"please", "pls", "plz", "it", "now", "already", "just", "ok", "okay", "thanks"})
OPT_OUT_PHRASES = re.compile(
    _words(
        r"unsubscribe",
        r"unsub",
        r"opt(?:-| )?out",
        r"opt me out",
        r"(?:don't|never) do (?:that|this) again",
        r"no more(?: of (?:that|this|these|those|them|it))?(?: please| pls| plz)?$",
        r"(?:this|that|it)(?:'s| is) spam",
        r"leave me alone",
        r"stop (?:pushing|flogging|shilling|selling|plugging|hawking|peddling|marketing|promoting|"
        r"advertising|pitching|upselling)",
        r"pitch a rest",
        r"pack it in with (?:the|your|all) \w+",
        r"hide (?:the |these |those |your |all )?(?:suggestions|recommendations|offers|ads|adverts|promos)",
        r"stop being (?:a |so )?(?:salesman|salesperson|salesy|pushy)",
        r"(?:don't|do not) want to be sold",
    )
)
# Turning offers back on.
OPT_IN_PHRASES = re.compile(
    _words(
        r"opt(?:-| )?(?:me )?(?:back )?in",
        r"turn (?:\w+ ){0,2}(?:back )?on",
        r"switch (?:\w+ ){0,2}(?:back )?on",
        r"(?:re-?)?enable",
        r"resume",
        r"start (?:\w+ ){0,2}again",
        r"again",
        r"back on",
        r"changed my mind",
        r"i want",
        r"i'd like",
        r"you can",
        r"send me",
        r"show me",
    )
)
