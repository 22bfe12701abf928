"""The relevance set (content/relevance.txt) and the suggestions' top-3 hit rate over it."""

from dataclasses import dataclass

from .content import CONTENT_DIR


@dataclass(frozen=True)
class Case:
    question: str
    expected: tuple[str, ...]


def cases() -> list[Case]:
    out = []
    for line in (CONTENT_DIR / "relevance.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        question, expected = line.split("||")
        out.append(Case(question.strip(), tuple(s.strip() for s in expected.split(",") if s.strip())))
    return out


@dataclass
class Outcome:
    case: Case
    suggested: list[str]

    @property
    def hit(self) -> bool:
        return any(slug in self.case.expected for slug in self.suggested[:3])


def evaluate(limit: int = 3) -> list[Outcome]:
    """Ask the suggestion service each question as an anonymous visitor would."""
    from helpwell.search.service import suggest_articles

    return [
        Outcome(case, [r.article.slug for r in suggest_articles(case.question, limit=limit)])
        for case in cases()
    ]


def hit_rate(outcomes: list[Outcome]) -> float:
    return sum(o.hit for o in outcomes) / max(1, len(outcomes))
