"""What a check sees and what it says. Plain Python: no Django, so a draft is checked in milliseconds."""

import re
from dataclasses import dataclass, field

SUGGESTION = "suggestion"
WARNING = "warning"
BLOCKING = "blocking"
SEVERITIES = (SUGGESTION, WARNING, BLOCKING)


@dataclass(frozen=True)
class Fix:
    """A one-click fix: replace draft[start:end] with text."""

    label: str
    start: int
    end: int
    text: str

    def apply(self, draft: str) -> str:
        return draft[: self.start] + self.text + draft[self.end :]


@dataclass(frozen=True)
class Finding:
    check: str
    what: str
    why: str
    severity: str = SUGGESTION
    start: int = 0
    end: int = 0
    fix: Fix | None = None

    @property
    def blocks(self) -> bool:
        return self.severity == BLOCKING


@dataclass
class DraftContext:
    """What the checks know about the conversation the draft answers."""

    customer_name: str = ""
    agent_name: str = ""
    customer_language: str = "en"
    customer_upset: bool = False
    # The promise of the ticket's priority: the first answer within this many hours.
    sla_hours: float | None = None
    # An open delay notice: e.g. "Deliveries take 5 to 7 working days longer", at least this many hours.
    delay_notice: str = ""
    delay_min_hours: float | None = None
    glossary: dict[str, str] = field(default_factory=dict)
    target_grade: float = 9.0
    min_words: int = 6
    max_words: int = 300

    @property
    def customer_first_name(self) -> str:
        return first_name(self.customer_name)

    @property
    def agent_first_name(self) -> str:
        return first_name(self.agent_name)


def first_name(name: str) -> str:
    parts = name.replace(",", " ").split()
    return parts[0] if parts else ""


WORD_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ']+")


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line."""
    out = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped[0])
            out.append((start, start + len(stripped)))
        pos += len(line) + 1
    return out


def opening(text: str, limit: int = 160) -> str:
    return text.lstrip()[:limit]


def after_greeting(text: str) -> int:
    """Where a sentence inserted after the greeting line (or at the very start) goes."""
    lines = paragraphs(text)
    if not lines:
        return 0
    first_start, first_end = lines[0]
    first = text[first_start:first_end]
    if GREETING_RE.match(first) and len(words(first)) <= 5:
        # Skip the greeting line and the blank line after it.
        nxt = lines[1][0] if len(lines) > 1 else len(text)
        return nxt
    return first_start


GREETING_RE = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings|hallo|guten tag|liebe[rs]?|"
    r"bonjour|salut|hola|estimad[oa]|buenos días|beste|goedemorgen|ciao|buongiorno|gentile|olá|caro|cara)\b",
    re.IGNORECASE,
)
