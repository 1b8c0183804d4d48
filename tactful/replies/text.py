"""Text normalisation shared by the model and the vetoes."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
# Spellings without apostrophes and SMS shorthand, mapped to one form so the
# vetoes' word lists stay short.
_WORDS = {
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "cant": "can't",
    "wont": "won't",
    "isnt": "isn't",
    "im": "i'm",
    "ive": "i've",
    "id": "i'd",
    "ill": "i'll",
    "thats": "that's",
    "whats": "what's",
    "u": "you",
    "ur": "your",
    "r": "are",
    "y": "yes",
    "ya": "yeah",
    "yea": "yeah",
    "yh": "yeah",
    "pls": "please",
    "plz": "please",
    "plse": "please",
    "thx": "thanks",
    "thanx": "thanks",
    "ty": "thanks",
    "tq": "thanks",
    "wot": "what",
    "wat": "what",
    "wut": "what",
    "k": "ok",
    "kk": "ok",
    "okay": "ok",
    "okey": "ok",
    "n": "no",
    "nope": "no",
    "noo": "no",
    "nah": "no",
    "naw": "no",
    "nty": "no thanks",
}
_SPELLED_OUT = (
    (re.compile(r"\bdo not\b"), "don't"),
    (re.compile(r"\bi am\b"), "i'm"),
    (re.compile(r"\bi will\b"), "i'll"),
    (re.compile(r"\bi would\b"), "i'd"),
    (re.compile(r"\bcan ?not\b"), "can't"),
)
_REPEATS = re.compile(r"([a-z])\1{2,}")
_TOKEN = re.compile(r"[\w']+|[^\w\s]")


def normalize(text: str) -> str:
    """Lower case, straight apostrophes, one spelling per common word, no stretched letters."""
    folded = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    folded = _REPEATS.sub(r"\1\1", folded)
    folded = re.sub(r"[\w']+", lambda m: _WORDS.get(m.group(0), m.group(0)), folded)
    for pattern, replacement in _SPELLED_OUT:
        folded = pattern.sub(replacement, folded)
    return re.sub(r"\s+", " ", folded).strip()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)
