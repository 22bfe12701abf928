"""Reading an incoming customer message: its tone (positive, neutral, upset) and whether it is abusive.

Tone is VADER (vaderSentiment; its lexicon ships inside the package) with a few support-desk cues
added, because "still waiting" or "third time I ask" are upset without a single negative word.

Abuse is a word list (lexicon/abuse_terms.txt, which a team extends) plus patterns for what word
lists miss: threats, harassment and demeaning remarks made without a single swear word. Frustration
is not abuse: swearing about a late order ("this is bloody ridiculous") reads upset; swearing or an
insult aimed at a person ("you useless idiot", "fuck you") reads abusive.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from .language import mostly_english

POSITIVE = "positive"
NEUTRAL = "neutral"
UPSET = "upset"

INSULT = "insult"
THREAT = "threat"
SLUR = "slur"
HARASSMENT = "harassment"
CATEGORIES = (INSULT, THREAT, SLUR, HARASSMENT)

LEXICON = Path(__file__).with_name("lexicon") / "abuse_terms.txt"


@dataclass(frozen=True)
class Reading:
    tone: str
    compound: float
    abusive: bool = False
    categories: tuple[str, ...] = ()
    matches: tuple[str, ...] = field(default=())


# --- tone -------------------------------------------------------------------------------------------------

# Support-desk words VADER weighs too lightly or not at all (valence on VADER's -4..4 scale).
EXTRA_VALENCE = {
    "late": -1.2, "delayed": -1.2, "missing": -1.2, "broken": -1.6, "unacceptable": -2.5, "ridiculous": -2.2,
    "shambles": -2.5, "joke": -0.8, "refund": -0.4, "overcharged": -2.0, "charged twice": -2.0,
    "waiting": -0.6, "ignored": -2.0, "furious": -3.0, "fuming": -3.0, "livid": -3.0, "appalling": -3.0,
    "shocking": -2.2, "disgraceful": -3.0, "incompetence": -2.5, "useless": -2.2, "nightmare": -2.5,
    "lifesaver": 2.8, "legend": 2.2, "spot on": 2.0, "sorted": 1.5, "brilliant": 3.0, "superb": 3.0,
}  # fmt: skip
UPSET_CUES = re.compile(
    r"(!!|\b(NOW|NOT|AGAIN)\b|\b(?i:where is (it|my)|last week|manager|on purpose|ignored|can'?t believe|"
    r"i need (this|an answer)|excuse|wasted|last straw|done with you|nothing (ever )?happens|lost a (loyal )?customer|"
    r"legal|waste of money|didn'?t address|used to be|what happened|close to tears|costing|why on earth|"
    r"who on earth|stop sending|reopen|end of\.|slower than|sort it out|will not|won'?t|so hard to|"
    r"verärgert|inakzeptabel|unverschämt|inadmissible|inacceptable|furioso|enfadad|inaceptable|belachelijk|"
    r"vergogna|inaccettabile))|\b(?i:still (waiting|not|no|nothing|haven'?t)|(second|third|fourth|fifth|\d+(st|nd|rd|th)) time|"
    r"unacceptable|ridiculous|furious|fuming|livid|fed up|sick (and tired )?of|had enough|disgust|"
    r"appall|shocking|outrage|frustrat|angry|annoyed|disappoint|terrible|awful|worst|a joke|"
    r"nobody (has|is|bothered)|no one (has|is|bothered)|waste of (my )?time|not good enough|never again|"
    r"complain|chargeback|trading standards|ombudsman|lawyer|solicitor|"
    r"shambles|nightmare|incompeten|useless|pathetic|rubbish|garbage|bullshit|wtf|ffs)",
)
THANKS = re.compile(
    r"\b(thank|thanks|cheers|grateful|appreciate|danke|merci|gracias|bedankt|grazie|obrigad)", re.I
)


@lru_cache(maxsize=1)
def analyzer() -> SentimentIntensityAnalyzer:
    vader = SentimentIntensityAnalyzer()
    vader.lexicon.update(EXTRA_VALENCE)
    return vader


def read_tone(text: str, *, abusive: bool = False) -> tuple[str, float]:
    # VADER's lexicon is English: in another language "die" or "de" would be read as English words.
    english = mostly_english(text)
    compound = float(analyzer().polarity_scores(text[:5000])["compound"]) if english else 0.0
    cues = len(UPSET_CUES.findall(text))
    thanks = THANKS.search(text) is not None
    if abusive or compound <= -0.45 or cues >= 2 or (cues and compound < 0.6):
        return UPSET, compound
    if compound >= 0.45 and (thanks or not text.rstrip().endswith("?")) or (thanks and compound >= 0):
        return POSITIVE, compound
    return NEUTRAL, compound


# --- abuse ------------------------------------------------------------------------------------------------

LEET = str.maketrans(
    {"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"}
)
MASKED = [
    (re.compile(r"\bf[\*\#@%!_.\-]+c?k"), "fuck"),
    (re.compile(r"\bf[u\*]{1,2}[\*\#]k"), "fuck"),
    (re.compile(r"\bsh[\*\#!1i]t"), "shit"),
    (re.compile(r"\bb[\*\#]+tch"), "bitch"),
    (re.compile(r"\ba[\*\#]+hole"), "asshole"),
    (re.compile(r"\bc[\*\#]+nt"), "cunt"),
    (re.compile(r"\bstfu\b"), "shut the fuck up"),
    (re.compile(r"\bkys\b"), "kill yourself"),
]
REPEATS = re.compile(r"(\w)\1{2,}")


def normalise(text: str) -> str:
    """Lower case, masked and leet-spelled swearing spelled out, long letter runs shortened."""
    low = text.lower().replace("’", "'")
    for pattern, word in MASKED:
        low = pattern.sub(word, low)
    # Leet only inside words that are mostly letters ("1d10t"), never in numbers or prices. A word with
    # both has a letter next to a digit or symbol somewhere, so most text needs no look at every word.
    if LETTER_BESIDE_LEET.search(low):
        low = LEET_WORD.sub(lambda m: m.group(0).translate(LEET), low)
    return REPEATS.sub(r"\1\1", low)


LEET_WORD = re.compile(r"\b(?=\w*[a-z])[a-z0-9@$!]*[a-z][a-z0-9@$!]*\b")
LETTER_BESIDE_LEET = re.compile(r"[a-z][0-9@$!]|[0-9@$!][a-z]")


def load_terms(path: Path = LEXICON) -> dict[str, list[str]]:
    terms: dict[str, list[str]] = {"insult": [], "slur": [], "profanity": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        category, term = (part.strip() for part in line.split(":", 1))
        if category in terms and term:
            terms[category].append(term.lower())
    return terms


# Insults that are insults wherever they stand; the rest ("clown", "useless", "pig") need a target.
STRONG_INSULTS = frozenset(
    [
        "idiot",
        "moron",
        "imbecile",
        "cretin",
        "halfwit",
        "dimwit",
        "nitwit",
        "numbskull",
        "scum",
        "scumbag",
        "parasite",
        "vermin",
        "maggot",
        "dumbass",
        "jackass",
        "dickhead",
        "asshole",
        "arsehole",
        "bastard",
        "bitch",
        "prick",
        "twat",
        "wanker",
        "tosser",
        "douchebag",
        "cunt",
        "retard",
        "retarded",
        "subhuman",
        "degenerate",
        "lowlife",
        "braindead",
        "brain-dead",
        "pea-brained",
    ]
)
YOU = (
    r"(you|u|ur|ya|ye|yall|y'all|you lot|you people|you guys|you all|"
    r"your (staff|team|agents?|colleagues|people|lot|kind|company's staff)|"
    r"your (colleague|coworker|co-worker|manager|boss|agent|driver|engineer|rep|supervisor)( [a-z]+)?|"
    r"this agent|whoever (wrote|answered|replied)[\w ]*?)"
)
SELF = re.compile(
    r"\b(i am|i'm|im|i feel|i felt|call me|makes me feel|made me feel|me|myself|i was|i've been|i look|i looked)"
    r"( like)?( such| a| an| an absolute| a complete| a total| a right| like| such an?)*\s*$"
)

THREAT_PATTERNS = [
    r"\bi know where you (live|work|are)",
    r"\bi('ll| will| am going to|'m going to|m gonna| am gonna|'m gonna) (find|hunt|track) (you|out where you)",
    r"\b(watch|mind) your back",
    r"\byou('ll| will| are going to|'re going to|'re gonna) (regret|pay for) (this|it|that)",
    r"\b(i('ll| will| am going to|'m going to|m gonna|'m gonna| would)|gonna|going to|someone should|somebody should|someone will|somebody will) "
    r"(hurt|kill|destroy|beat|punch|smash|stab|shoot|strangle|slap|break|burn|bury|end) "
    r"(you|him|her|them|your|that agent|whoever|the agent|every one of you|each of you)",
    r"\b(taken|take you|take them) out (back )?and (shot|shoot)",
    r"\bi('ll| will) be (outside|waiting (outside|at|for you at)) (your|the) (depot|office|shop|store|house|home|work|building|warehouse)",
    r"\bsee how (brave|tough|smug|clever) (you|your \w+) (are|is)",
    r"\b(you'll|you will|you're going to|you are going to) (end up|wind up) (in (a |the )?(hospital|ditch|morgue|grave)|dead|hurt|in pieces)",
    r"\b(you'll|you will) be (sorry|sorrier)\b",
    r"\b(if|when|once) i (ever )?(see|catch|meet|find) you\b[^.!?]*\b(sorry|regret|pay|hurt|dead|wish|end you)",
    r"\bi know your (face|car|address|schedule|routine)",
    r"\b(keep|carry on)\b[^.]*\bsee what happens",
    r"\bhope (you|your \w+)( and your \w+)? (die|dies|get hit|gets hit|get cancer|rot|burn|suffer|choke|crash)",
    r"\b(burn|blow up|torch|firebomb|smash up|trash) (your|the|that) (office|building|store|shop|warehouse|house|car)",
    r"\b(come|coming|drive|drop) (down|round|over) (there|to your (office|shop|store|house)) and",
    r"\b(wait|waiting) (for you )?outside (your|the) (office|building|shop|store|house)",
    r"\bpay (you|your \w+) a (little )?visit",
    r"\bsleep with one eye open",
    r"\baccidents (happen|can happen)",
    r"\bsomething (bad|terrible|nasty|unfortunate) (will|might|could|is going to) happen (to you|to your)",
    r"\b(i know|i've found|i have found|i found) (your|where your) (family|kids|children|wife|husband|home|address|house)",
    r"\bi('ll| will) make (your life|sure your life is) (hell|a living hell|miserable|misery)",
    r"\b(people like you|you people|you) (should|ought to|deserve to|need to) be (shot|hanged|hung|killed|put down|beaten|locked up|strung up|punched)",
    r"\b(you|your family) (deserve|deserves) to (die|suffer|be hurt|get hurt)",
    r"\b(i'm|i am) coming (for you|after you|to (your|the) (office|house|home))",
    r"\byou('d| had) better watch (out|yourself)",
    r"\bkill yourself\b",
    r"\bgo (and )?die\b",
    r"\b(i'll|i will|i'm going to|gonna) (make sure|see to it that) you (get|are|lose|never)",
    r"\bi('ll| will) be waiting for you",
    r"\byou won't (be so|feel so) (brave|smug|cocky|clever|safe)",
]
HARASSMENT_PATTERNS = [
    r"\bwhat (are|r) (you|u) wearing",
    r"\b(send|show) (me )?(a |some )?(photos?|pics?|pictures?|selfies?|nudes?) (of )?(you|yourself)",
    r"\b(sexy|hot|cute|sweet) (voice|little|thing|girl|boy)\b",
    r"\b(are|r) (you|u) single\b",
    r"\b(go|come) on a date with (me|you)",
    r"\b(sleep|get into bed|hook up) with (me|you)",
    r"\b(tits|boobs|ass|arse|legs|body) (must|would|look)",
    r"\bnice (tits|boobs|ass|arse|legs|body)",
    r"\b(give|send|tell) me your (personal|home|private|own|real|mobile|cell) (number|address|phone|email|instagram|facebook|name)",
    r"\bi('ll| will| am going to|'m going to) (post|put|share|publish|plaster|spread) your (full )?(name|face|photos?|picture|address|details|number)",
    r"\bi('ve| have)? ?(found|looked up|tracked down) your (facebook|instagram|linkedin|profile|address|home|family|mum|mother|kids)",
    r"\bi('ll| will) (call|ring|email|message|phone) you (every|each) (day|hour|single|morning|night)",
    r"\b(go|get|fuck off) back to (your|where you|whatever) (own )?(country|came from|village|jungle|hole)",
    r"\b(learn to |learn |can't you |why can't you )?speak (proper|real|normal) english",
    r"\b(your|that|ur) (foreign |stupid |thick |silly )?accent\b",
    r"\b(is there|put me through to|get me|i want|i need) (a|an|someone|somebody) ?(man|male|white|english|native|real english|proper english)[ -]?(person|speaker|one|agent|bloke|guy)?\b[^.?!]*\b(not|instead of|rather than) (a |some |this )?(girl|woman|foreigner|little|lady|indian)",
    r"\b(listen|look|ok|okay|right|now),? (sweetheart|sweetie|darling|love|honey|little girl|girlie)\b",
    r"\b(don't|do not|won't|will not) take (advice|orders|instructions|lectures) from (little |silly |some )?(girls?|women|woman|kids?|children)",
    r"\b(joke|disgrace|excuse|waste|embarrassment) of a (human|person|man|woman|being)",
    r"\bgo to hell\b",
    r"\b(keep|will keep|'ll keep) (ringing|calling|phoning|texting|messaging|emailing) (you|your)",
    r"\bshove (it|that|this|your \w+) up your (arse|ass)",
    r"\b(women|girls|a woman|a girl|females) (like you )?(shouldn't|should not|can't|cannot|don't belong|have no business)",
    r"\byou('re| are) (such )?an? ((pathetic|sad|miserable|nasty|vile|horrible|ugly|fat|little|stupid|useless|worthless) )+(man|woman|person|boy|girl|creature|human|thing)",
    r"\b(nice|sexy|lovely) voice\b",
    r"\byou( are|'re| re|'re just| are just) (nothing|nobody|a nobody|a waste|a disgrace|an embarrassment|a joke of a (person|human))",
    r"\bpathetic excuse for a (human|person|man|woman|being)",
    r"\bnobody (would|will) miss you",
    r"\b(your|ur) (mother|mum|mom|parents|family) (must|should) be (so |really |very )?(ashamed|embarrassed|disgusted)",
    r"\bashamed (of yourself )?to be alive",
    r"\b(a|any) (monkey|chimp|trained monkey|toddler|child|five[- ]year[- ]old|dog|parrot) could do (your|this) job",
    r"\b(hope|pray) (you|u) (all )?(lose|get sacked|get fired) (from )?(your|ur)? ?(job)?",
    r"\bwaste of (space|oxygen|skin|air)",
    r"\bsad little (life|person|man|woman|job)",
    r"\bget a (real|proper) job",
    r"\bdo (you|u) (even|actually) have a (brain|clue)",
    r"\b(you|u) (have|got) (the )?(brains?|iq|intelligence) of a",
    r"\bshut (up|your mouth|your trap|the fuck up)\b",
    r"\b(fuck|screw|sod|piss) (you|off|yourself|yourselves)\b",
    r"\bgo (fuck|screw|stuff) (yourself|yourselves)",
    r"\bbite me\b",
    r"\beat (shit|dirt)\b",
    r"\bsuck (my|it)\b",
]
# "you fucking clowns", "you're a bloody idiot", "you useless lot": a second person, then an insult.
PROFANE_PREFIX = r"(fucking|effing|bloody|stupid|absolute|complete|total|utter|useless|incompetent|brainless|little|pathetic|lazy|worthless|clueless|miserable|sorry|dumb|thick|ignorant|fat|ugly)"
ARTICLE = r"(a |an |such an? |the |nothing but (a |an )?|bunch of |pack of |load of |lot of |band of )?"


@dataclass(frozen=True)
class AbuseDetector:
    insult_re: re.Pattern[str]
    strong_re: re.Pattern[str]
    slur_re: re.Pattern[str]
    threat_re: re.Pattern[str]
    harassment_re: re.Pattern[str]

    def find(self, text: str) -> list[tuple[str, str]]:
        low = normalise(text)
        hits: list[tuple[str, str]] = []
        for m in self.threat_re.finditer(low):
            hits.append((THREAT, m.group(0)))
        for m in self.harassment_re.finditer(low):
            hits.append((HARASSMENT, m.group(0)))
        for m in self.slur_re.finditer(low):
            hits.append((SLUR, m.group(0)))
        for m in self.insult_re.finditer(low):
            hits.append((INSULT, m.group(0).strip()))
        for m in self.strong_re.finditer(low):
            if SELF.search(low[max(0, m.start() - 40) : m.start()]):
                continue  # "I felt like an idiot", "call me a fool but": about oneself
            if any(m.group(0) in hit for _, hit in hits):
                continue
            hits.append((INSULT, m.group(0)))
        return hits


def _alternation(terms: Iterable[str]) -> str:
    escaped = sorted(
        {re.escape(t).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?") for t in terms},
        key=len,
        reverse=True,
    )
    return "(" + "|".join(escaped) + ")"


def build_detector(extra: Iterable[tuple[str, str]] = ()) -> AbuseDetector:
    """The detector for the shipped list plus a team's own (category, term) entries."""
    terms = load_terms()
    for category, term in extra:
        if category in terms and term.strip():
            terms[category].append(term.strip().lower())
    insults = terms["insult"]
    strong = [t for t in insults if t in STRONG_INSULTS]
    plural = r"(e?s)?"
    insult_alt = _alternation(insults)
    aimed = (
        rf"\b{YOU}(\s+(are|re|r|were|is|must be|seem to be|sound like|act like|look like)\s+|'re\s+|\s+)(so |such |just |really |truly |all |clearly |obviously |basically )?"
        rf"{ARTICLE}({PROFANE_PREFIX}\s+)*{insult_alt}{plural}\b"
        rf"|\b(what|such) an? ({PROFANE_PREFIX}\s+)*{insult_alt}{plural}\s+(you|u)\b"
        rf"|\b{insult_alt}{plural} like (you|u|yourself)\b"
        rf"|\b(are|r) (you|u) (really |just |actually |this |that |so )*({ARTICLE})({PROFANE_PREFIX}\s+)*{insult_alt}{plural}\b"
        rf"|\b(you|u)\s+({PROFANE_PREFIX}\s+)+(idiot|moron|clown|lot|people|pig|cow|muppet|fool|loser|prick|twat|bastard|bitch|scum|muppets|clowns|jobsworth|nobody|waste)"
        rf"|\b(fuck|fucking|bloody|stupid) (idiots?|morons?|clowns?|muppets?|bastards?|bitch|wankers?|twats?)\b"
    )
    flags = re.IGNORECASE
    return AbuseDetector(
        insult_re=re.compile(aimed, flags),
        strong_re=re.compile(rf"\b{_alternation(strong)}{plural}\b", flags),
        slur_re=re.compile(rf"\b{_alternation(terms['slur'])}{plural}\b", flags),
        threat_re=re.compile("|".join(THREAT_PATTERNS), flags),
        harassment_re=re.compile("|".join(HARASSMENT_PATTERNS), flags),
    )


@lru_cache(maxsize=32)
def detector_for(extra: tuple[tuple[str, str], ...] = ()) -> AbuseDetector:
    return build_detector(extra)


# A reading looks at the start of a message: what the customer wrote now, not the quoted history below it.
READ_CHARS = 20_000


def read_message(text: str, extra_terms: tuple[tuple[str, str], ...] = ()) -> Reading:
    text = text[:READ_CHARS]
    hits = detector_for(extra_terms).find(text)
    abusive = bool(hits)
    tone, compound = read_tone(text, abusive=abusive)
    categories = tuple(c for c in CATEGORIES if any(h[0] == c for h in hits))
    return Reading(
        tone=tone,
        compound=compound,
        abusive=abusive,
        categories=categories,
        matches=tuple(h[1] for h in hits),
    )
