"""The checks that ship with Helpwell. Each takes the draft and its context and returns findings.

A check is plain Python over a string of at most a few thousand characters: regular expressions
compiled once, set lookups, one readability formula. Severity is decided by the team's settings,
not here (run() applies it).
"""

import re
from collections.abc import Callable
from functools import lru_cache

from .base import (
    GREETING_RE,
    DraftContext,
    Finding,
    Fix,
    after_greeting,
    paragraphs,
    words,
)
from .language import detect_language, language_name

CheckFn = Callable[[str, DraftContext], list[Finding]]


def _name_re(name: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)


# --- greets the customer by name --------------------------------------------------------------------------


def check_greeting(draft: str, ctx: DraftContext) -> list[Finding]:
    lines = paragraphs(draft)
    if not lines:
        return []
    start, end = lines[0]
    first_line = draft[start:end]
    name = ctx.customer_first_name
    greeting = GREETING_RE.match(first_line)
    salutation = f"Hi {name}," if name else "Hello,"
    if greeting is None:
        return [
            Finding(
                "greeting",
                "The reply does not greet the customer.",
                "Opening with their name tells the customer a person read their message.",
                start=start,
                end=start,
                fix=Fix(f"Start with “{salutation}”", start, start, salutation + "\n\n"),
            )
        ]
    # Any part of their name counts: "Hi Carol", "Dear Ms Chen".
    parts = [p for p in ctx.customer_name.replace(",", " ").split() if len(p) > 1]
    if name and not any(_name_re(p).search(first_line) for p in parts):
        # Replace the greeting line only when it is short: "Hello," or "Dear customer,".
        if len(words(first_line)) <= 4:
            fix = Fix(f"Use “{salutation}”", start, end, salutation)
        else:
            fix = Fix(f"Use “{salutation}”", start, start + greeting.end(), salutation.rstrip(","))
        return [
            Finding(
                "greeting",
                f"The greeting does not use {name}'s name.",
                "Opening with their name tells the customer a person read their message.",
                start=start,
                end=end,
                fix=fix,
            )
        ]
    return []


# --- thanks them ------------------------------------------------------------------------------------------

THANKS_RE = re.compile(
    r"\b(thank|thanks|thx|grateful|appreciate|cheers for|danke|vielen dank|merci|gracias|bedankt|dank u|"
    r"dank je|grazie|obrigad[oa])",
    re.IGNORECASE,
)


def check_thanks(draft: str, ctx: DraftContext) -> list[Finding]:
    if THANKS_RE.search(draft):
        return []
    at = after_greeting(draft)
    sentence = "Thank you for getting in touch. "
    return [
        Finding(
            "thanks",
            "The reply does not thank the customer.",
            "A word of thanks for writing, for their patience or for the details they sent sets a warm tone.",
            start=at,
            end=at,
            fix=Fix("Add “Thank you for getting in touch.”", at, at, sentence),
        )
    ]


# --- acknowledges feelings when the customer is upset -----------------------------------------------------

EMPATHY_RE = re.compile(
    r"\b(sorry|apologi[sz]e|apologies|regret (that|the)|understand(ably)? (how|why|that|your|the|this)|"
    r"i understand|understandabl|frustrat|must (be|have been)|can imagine|i hear you|not (ok|okay|good enough|acceptable)|"
    r"that's (not )?(what|how) you|disappoint|upsetting|annoying for you|inconvenien|"
    r"entschuldig|tut mir leid|désolé|desole|lo siento|disculp|het spijt|scusa|mi dispiace|desculp)",
    re.IGNORECASE,
)


def check_empathy(draft: str, ctx: DraftContext) -> list[Finding]:
    if not ctx.customer_upset or EMPATHY_RE.search(draft):
        return []
    at = after_greeting(draft)
    sentence = "I'm sorry for the trouble this has caused, and I understand why you're frustrated. "
    return [
        Finding(
            "empathy",
            "The customer's last message reads upset and the reply does not acknowledge it.",
            "Naming how they feel before solving the problem shows you listened; skipping it reads as cold.",
            start=at,
            end=at,
            fix=Fix("Add an acknowledgement", at, at, sentence),
        )
    ]


# --- no blaming or dismissive phrases ---------------------------------------------------------------------

# (pattern, kinder wording or None when the sentence needs rewriting by a person)
BLAME_PHRASES: list[tuple[str, str | None]] = [
    (
        r"as i (have )?(already |previously )?(said|mentioned|explained|told you|stated|pointed out)( before| earlier)?,?",
        "To recap,",
    ),
    (
        r"as (previously|already|clearly|mentioned|stated) (stated|mentioned|explained|said|noted)( before| earlier)?,?",
        "To recap,",
    ),
    (
        r"as (i|we) (clearly )?(stated|wrote) in (my|our) (last|previous|earlier) (email|message|reply),?",
        "To recap,",
    ),
    (
        r"as (stated|mentioned|explained|said|noted) (in|on) (my|our) (last|previous|earlier) (email|message|reply|call),?",
        "To recap,",
    ),
    (r"per my (last|previous|earlier) (email|message|reply),?", "To recap,"),
    (r"like i (said|told you)( before)?,?", "To recap,"),
    (
        r"i('ve| have)? told you (this |that )?(already|before|twice|several times|many times|repeatedly)",
        None,
    ),
    (r"you should have", "next time, you can"),
    (r"you shouldn't have", "next time, it is best not to"),
    (r"you (clearly |obviously )?(failed|forgot|neglected) to", None),
    (r"you (clearly |obviously )?(didn't|did not|haven't|have not) (read|check|follow|look)", None),
    (r"if you had (read|checked|followed|looked|bothered)", None),
    (
        r"(it's|it is|this is|that's|that is) (not|hardly) (our|my) (fault|problem|responsibility|concern)",
        None,
    ),
    (r"(it's|it is|this is|that's|that is) your (own )?(fault|problem|responsibility)", None),
    (r"there('s| is) nothing (i|we) can do", "here is what I can do"),
    (r"(that's|that is|this is) (just )?(our |the |company )?policy,?", "the reason is that"),
    (r"calm down", None),
    (r"you need to understand( that)?", "it may help to know that"),
    (r"you must have", "it's possible that you"),
    (r"you are (wrong|mistaken)|you're (wrong|mistaken)", None),
    (r"(read|check) the (manual|faq|documentation|instructions) (first|next time|before)", None),
    (r"with all due respect,?", None),
    (r"i don't know what (else )?you (expect|want)", None),
    (r"as anyone can see", None),
    (r"user error", None),
    (r"which is clearly (stated|explained|written)", "which is explained"),
]
# One pass over the draft for all phrases: each is a named alternative, its kinder wording looked up by name.
BLAME_RE = re.compile("|".join(rf"\b(?P<b{i}>{p})" for i, (p, _) in enumerate(BLAME_PHRASES)), re.IGNORECASE)
BLAME_KINDER = {f"b{i}": kinder for i, (_, kinder) in enumerate(BLAME_PHRASES)}


def _match_case(replacement: str, original: str) -> str:
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement[:1].lower() + replacement[1:] if replacement[:2] != "I " else replacement


def check_blame(draft: str, ctx: DraftContext) -> list[Finding]:
    out = []
    for m in BLAME_RE.finditer(draft):
        kinder = BLAME_KINDER[next(k for k, v in m.groupdict().items() if v is not None)]
        phrase = m.group(0)
        fix = None
        if kinder is not None:
            better = _match_case(kinder, phrase)
            fix = Fix(f"Say “{better}”", m.start(), m.end(), better)
        out.append(
            Finding(
                "blame",
                f"“{phrase.strip(' ,')}” can read as blaming or dismissing the customer.",
                "Customers remember being made to feel at fault; say what happens next instead.",
                start=m.start(),
                end=m.end(),
                fix=fix,
            )
        )
    return out


# --- jargon and internal terms ----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _glossary_re(terms: tuple[str, ...]) -> re.Pattern[str]:
    """All glossary terms in one pattern; all-capital terms ("RMA") match case-sensitively, others not."""
    parts = [
        rf"(?P<g{i}>(?<![\w-]){'' if t.isupper() else '(?i:'}{re.escape(t)}{'' if t.isupper() else ')'}(?![\w-]))"
        for i, t in enumerate(terms)
    ]
    return re.compile("|".join(parts) or r"(?!x)x")


def check_jargon(draft: str, ctx: DraftContext) -> list[Finding]:
    out = []
    terms = tuple(ctx.glossary)
    seen: set[str] = set()
    for m in _glossary_re(terms).finditer(draft):
        term = terms[int(next(k for k, v in m.groupdict().items() if v is not None)[1:])]
        if term in seen:
            continue
        seen.add(term)
        plain = ctx.glossary[term]
        out.append(
            Finding(
                "jargon",
                f"“{m.group(0)}” is an internal term.",
                f"Customers may not know it; the team glossary says “{plain}”.",
                start=m.start(),
                end=m.end(),
                fix=Fix(f"Say “{plain}”", m.start(), m.end(), plain),
            )
        )
    return out


# --- readability ------------------------------------------------------------------------------------------

READABILITY_MIN_WORDS = 30


def reading_grade(text: str) -> float:
    import textstat  # the import loads the pronouncing dictionary once; later calls are fast

    return float(textstat.flesch_kincaid_grade(text))


def check_readability(draft: str, ctx: DraftContext) -> list[Finding]:
    if len(words(draft)) < READABILITY_MIN_WORDS or detect_language(draft) not in (None, "en"):
        return []
    grade = reading_grade(draft)
    if grade <= ctx.target_grade:
        return []
    return [
        Finding(
            "readability",
            f"The reply reads at grade {grade:.0f}; the team aims for {ctx.target_grade:.0f} or lower.",
            "Shorter sentences and everyday words are quicker to understand, especially for someone "
            "reading in their second language or on a phone.",
            start=0,
            end=len(draft),
        )
    ]


# --- length -----------------------------------------------------------------------------------------------


def check_length(draft: str, ctx: DraftContext) -> list[Finding]:
    count = len(words(draft))
    if count > ctx.max_words:
        return [
            Finding(
                "length",
                f"The reply is {count} words long; the team keeps replies under {ctx.max_words}.",
                "Long replies get skimmed; put the answer first and link to details.",
                start=0,
                end=len(draft),
            )
        ]
    if 0 < count < ctx.min_words:
        return [
            Finding(
                "length",
                f"The reply is only {count} word{'s' if count != 1 else ''}.",
                "A very short reply can read as curt; say what you did and what happens next.",
                start=0,
                end=len(draft),
            )
        ]
    return []


# --- shouting ---------------------------------------------------------------------------------------------

ACRONYMS = frozenset(
    [
        "FAQ",
        "PDF",
        "URL",
        "VAT",
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "API",
        "CSV",
        "ID",
        "UK",
        "USA",
        "EU",
        "SMS",
        "PIN",
        "IBAN",
        "BIC",
        "OK",
        "TV",
        "PC",
        "IT",
        "HR",
        "CEO",
        "DHL",
        "UPS",
        "DPD",
        "GLS",
        "FEDEX",
        "USPS",
        "ASAP",
        "PS",
        "NB",
        "AM",
        "PM",
        "CET",
        "CEST",
        "UTC",
        "GMT",
        "BST",
        "EST",
        "PST",
        "IOS",
        "MAC",
        "HTML",
        "JSON",
        "SSO",
        "VPN",
        "WIFI",
        "QR",
        "TNT",
        "RSVP",
        "GDPR",
        "DSGVO",
        "NHS",
        "ATM",
    ]
)
CAPS_WORD = re.compile(r"\b[A-Z][A-Z']{2,}\b")
CAPS_PAIR = re.compile(r"\b[A-Z]{2,}\s+[A-Z]{2,}\b")
EXCLAIM_RUN = re.compile(r"!{2,}")


def check_shouting(draft: str, ctx: DraftContext) -> list[Finding]:
    glossary = {t for t in ctx.glossary if t.isupper()}
    shouted = [
        m for m in CAPS_WORD.finditer(draft) if m.group(0) not in ACRONYMS and m.group(0) not in glossary
    ]
    runs = list(EXCLAIM_RUN.finditer(draft))
    exclaims = draft.count("!")
    # Two capitalised words in a row ("HOLD IT") shout even when one of them could be an acronym.
    pairs = [
        m
        for m in CAPS_PAIR.finditer(draft)
        if any(w not in ACRONYMS and w not in glossary for w in m.group(0).split())
    ]
    if pairs and len(shouted) < 2:
        shouted = shouted + pairs
    if len(shouted) < 2 and not runs and exclaims < 3:
        return []

    def calm(text: str) -> str:
        text = EXCLAIM_RUN.sub("!", text)
        return CAPS_WORD.sub(
            lambda m: m.group(0) if m.group(0) in ACRONYMS or m.group(0) in glossary else m.group(0).lower(),
            text,
        )

    what = (
        "The reply uses capitals for emphasis."
        if len(shouted) >= 2
        else "The reply uses a lot of exclamation marks."
    )
    marks = shouted or runs
    first = marks[0] if marks else None
    return [
        Finding(
            "shouting",
            what,
            "Capitals and strings of exclamation marks read as shouting, even when you mean enthusiasm.",
            start=first.start() if first else 0,
            end=first.end() if first else 0,
            fix=Fix("Calm the capitals and exclamation marks", 0, len(draft), calm(draft)),
        )
    ]


# --- a promised time that contradicts the SLA or an open delay notice -------------------------------------

NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14, "twenty-four": 24, "forty-eight": 48,
           "a couple of": 2, "a few": 3, "couple of": 2, "few": 3}  # fmt: skip
UNIT_HOURS = {"minute": 1 / 60, "min": 1 / 60, "hour": 1, "hr": 1, "day": 24, "working day": 24,
              "business day": 24, "week": 168}  # fmt: skip
SPAN_RE = re.compile(
    r"\b(within|in|in the next|under|less than|inside of|no later than in)\s+"
    r"(\d+|a couple of|a few|couple of|few|an|a|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|twenty-four|forty-eight)"
    r"\s*(minute|min|hour|hr|working day|business day|day|week)s?\b",
    re.IGNORECASE,
)
DAY_RE = re.compile(
    r"\b(by |before |until |on )?(later )?(today|tonight|this afternoon|this evening|tomorrow|end of (the )?day|"
    r"end of (the )?week|end of business|close of business|next week|monday|tuesday|wednesday|thursday|friday)\b",
    re.IGNORECASE,
)
DAY_HOURS = {"today": 10, "tonight": 10, "this afternoon": 6, "this evening": 8, "tomorrow": 24,
             "end of day": 10, "end of the day": 10, "end of business": 10, "close of business": 10,
             "end of week": 96, "end of the week": 96, "next week": 168, "monday": 96, "tuesday": 96,
             "wednesday": 96, "thursday": 96, "friday": 96}  # fmt: skip
REPLY_WORDS = re.compile(
    r"\b(get back to you|reply|respond|answer|hear (back )?from (me|us)|update you|be in touch|follow up|"
    r"come back to you|let you know|send you an update|contact you|call you|look into|investigate)",
    re.IGNORECASE,
)
DELIVERY_WORDS = re.compile(
    r"\b(arrive|arrives|arriving|deliver|delivered|delivery|receive|reach you|ETA|expected delivery|"
    r"be with you|turn up|land|on its way|in your hands|at your door|get your (order|parcel|package))",
    re.IGNORECASE,
)
SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]?")


def _promises(sentence: str) -> list[tuple[float, str]]:
    out = []
    for m in SPAN_RE.finditer(sentence):
        number = m.group(2).lower()
        amount = float(number) if number.isdigit() else NUMBERS.get(number, 1)
        unit = m.group(3).lower()
        out.append((amount * UNIT_HOURS.get(unit, 1), m.group(0)))
    for m in DAY_RE.finditer(sentence):
        key = m.group(3).lower()
        out.append((DAY_HOURS.get(key, 96), m.group(0).strip()))
    return out


def _hours_label(hours: float) -> str:
    if hours >= 24 and hours % 24 == 0:
        days = int(hours // 24)
        return f"{days} day" + ("s" if days != 1 else "")
    if hours >= 1:
        return f"{hours:g} hour" + ("s" if hours != 1 else "")
    return f"{round(hours * 60)} minutes"


def check_promise(draft: str, ctx: DraftContext) -> list[Finding]:
    out = []
    for s in SENTENCE_RE.finditer(draft):
        sentence = s.group(0)
        promises = _promises(sentence)
        if not promises:
            continue
        hours, phrase = max(promises)
        about_delivery = DELIVERY_WORDS.search(sentence) is not None
        about_reply = REPLY_WORDS.search(sentence) is not None
        start = s.start() + sentence.lower().find(phrase.lower())
        if about_delivery and ctx.delay_min_hours is not None and min(promises)[0] < ctx.delay_min_hours:
            phrase = min(promises)[1]
            start = s.start() + sentence.lower().find(phrase.lower())
            out.append(
                Finding(
                    "promise",
                    f"“{phrase}” contradicts the open delay notice: {ctx.delay_notice or 'there are delays'}.",
                    "A promise we cannot keep turns one disappointment into two; quote the delay notice's times.",
                    start=start,
                    end=start + len(phrase),
                )
            )
        elif about_reply and not about_delivery and ctx.sla_hours is not None and hours > ctx.sla_hours:
            out.append(
                Finding(
                    "promise",
                    f"“{phrase}” is later than this ticket's priority promises ({_hours_label(ctx.sla_hours)}).",
                    "The customer was told in writing when to expect an answer; keep to it or say why not.",
                    start=start,
                    end=start + len(phrase),
                )
            )
    return out


# --- sensitive data ---------------------------------------------------------------------------------------

CARD_RE = re.compile(r"(?<![\d-])([2-6]\d{3}(?:[ -]?\d){9,15})(?![\d-])")
PASSWORD_RE = re.compile(
    r"\b(password|passwort|passcode|pass word|pwd|mot de passe|contraseña|wachtwoord|"
    r"temporary password|temp password|pin|cvv|cvc|security code)(\s+(is|was|ist|est|es|is now|will be))?\s*[:=]?\s*"
    r"(?P<value>[^\s,;.]*\d[^\s,;]*|[^\s,;.]{6,}(?=[\s,;.]|$))",
    re.IGNORECASE,
)
NOT_SECRETS = frozenset(
    [
        "reset",
        "link",
        "below",
        "here",
        "changed",
        "sent",
        "emailed",
        "please",
        "yourself",
        "again",
        "the",
        "a",
        "your",
    ]
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def check_sensitive(draft: str, ctx: DraftContext) -> list[Finding]:
    out = []
    for m in CARD_RE.finditer(draft):
        digits = re.sub(r"\D", "", m.group(1))
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            masked = "•••• " + digits[-4:]
            out.append(
                Finding(
                    "sensitive",
                    "The reply contains a payment card number.",
                    "Email is not a safe place for card numbers; refer to the card by its last four digits.",
                    start=m.start(1),
                    end=m.end(1),
                    fix=Fix(f"Show only “{masked}”", m.start(1), m.end(1), masked),
                )
            )
    for m in PASSWORD_RE.finditer(draft):
        value = m.group("value")
        if value.lower() in NOT_SECRETS or value.lower().startswith(("http", "reset")):
            continue
        # A secret has a digit, a symbol or a capital inside it; "mot de passe habituel" has none.
        if not re.search(r"\d|[^\w]|\w[A-Z]", value):
            continue
        out.append(
            Finding(
                "sensitive",
                f"The reply seems to contain a {m.group(1).lower()}.",
                "Never send passwords or security codes by email; send a reset link instead.",
                start=m.start("value"),
                end=m.end("value"),
                fix=Fix("Remove it", m.start("value"), m.end("value"), "[removed]"),
            )
        )
    return out


# --- reply language matches the customer's ---------------------------------------------------------------


def check_language(draft: str, ctx: DraftContext) -> list[Finding]:
    if not ctx.customer_language:
        return []
    found = detect_language(draft)
    if found is None or found == ctx.customer_language:
        return []
    return [
        Finding(
            "language",
            f"The reply looks like {language_name(found)}; the customer writes in {language_name(ctx.customer_language)}.",
            "Answer in the customer's language, or say why you can't.",
            start=0,
            end=len(draft),
        )
    ]


# --- signs off with the agent's own name ------------------------------------------------------------------

CLOSING_RE = re.compile(
    r"^\s*(best|kind regards|regards|best regards|best wishes|many thanks|thanks( again)?|cheers|all the best|"
    r"warm(est)? regards|sincerely|speak soon|take care|viele grüße|mit freundlichen grüßen|cordialement|"
    r"saludos|met vriendelijke groet|cordiali saluti|atenciosamente)\b.*$",
    re.IGNORECASE,
)


def check_signoff(draft: str, ctx: DraftContext) -> list[Finding]:
    name = ctx.agent_first_name
    lines = paragraphs(draft)
    if not name or not lines:
        return []
    tail = " ".join(draft[s:e] for s, e in lines[-2:])
    if _name_re(name).search(tail):
        return []
    end = lines[-1][1]
    last = draft[lines[-1][0] : end]
    if CLOSING_RE.match(last) and len(words(last)) <= 4:
        fix = Fix(f"Sign as {name}", end, end, f"\n{name}")
    else:
        fix = Fix(f"Add “Best wishes, {name}”", end, end, f"\n\nBest wishes,\n{name}")
    return [
        Finding(
            "signoff",
            "The reply is not signed with your name.",
            "Signing with your own name makes the reply come from a person the customer can come back to.",
            start=end,
            end=end,
            fix=fix,
        )
    ]


CHECK_FUNCTIONS: dict[str, CheckFn] = {
    "greeting": check_greeting,
    "thanks": check_thanks,
    "empathy": check_empathy,
    "blame": check_blame,
    "jargon": check_jargon,
    "readability": check_readability,
    "length": check_length,
    "shouting": check_shouting,
    "promise": check_promise,
    "sensitive": check_sensitive,
    "language": check_language,
    "signoff": check_signoff,
}
