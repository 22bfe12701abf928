"""Scoring the checkers against the labelled sets in tests/data/guidelines/ (used by bench/ and the tests).

Plain Python, no Django: the draft set says, for every draft, which checks must fire and which must not;
the message set labels every customer message abusive, upset (acceptable), neutral or positive.
"""

import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from .checks import CHECKS, DraftContext, check_draft
from .checks.defaults import DEFAULT_GLOSSARY
from .checks.reading import read_message

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "guidelines"
DRAFTS = DATA / "drafts.jsonl"
MESSAGES = DATA / "messages.jsonl"
# A second, smaller pair written later, after the checkers had been tuned on the first (see docs/benchmarks.md).
DRAFTS_SECOND = DATA / "drafts_holdout.jsonl"
MESSAGES_SECOND = DATA / "messages_holdout.jsonl"


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def context_for(row: dict) -> DraftContext:
    ctx = DraftContext(glossary=dict(DEFAULT_GLOSSARY))
    for key, value in row.get("context", {}).items():
        setattr(ctx, key, value)
    return ctx


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_drafts(rows: list[dict] | None = None) -> dict[str, Score]:
    """Per check, and "overall" (micro-averaged over every check and draft)."""
    rows = load(DRAFTS) if rows is None else rows
    scores = {key: Score() for key in CHECKS}
    for row in rows:
        found = {f.check for f in check_draft(row["draft"], context_for(row))}
        for key in CHECKS:
            expected = key in row["expect"]
            got = key in found
            s = scores[key]
            if expected and got:
                s.tp += 1
            elif got:
                s.fp += 1
                s.misses.append(f"{row['id']}: unexpected")
            elif expected:
                s.fn += 1
                s.misses.append(f"{row['id']}: missed")
    overall = Score(
        tp=sum(s.tp for s in scores.values()),
        fp=sum(s.fp for s in scores.values()),
        fn=sum(s.fn for s in scores.values()),
    )
    return {**scores, "overall": overall}


@dataclass
class MessageScore:
    abuse: Score
    upset_total: int
    upset_flagged: int
    tone_correct: int
    total: int

    @property
    def upset_flag_rate(self) -> float:
        return self.upset_flagged / self.upset_total if self.upset_total else 0.0

    @property
    def tone_accuracy(self) -> float:
        return self.tone_correct / self.total if self.total else 0.0


def score_messages(rows: list[dict] | None = None) -> MessageScore:
    rows = load(MESSAGES) if rows is None else rows
    abuse = Score()
    upset_total = upset_flagged = tone_correct = 0
    for row in rows:
        reading = read_message(row["text"])
        abusive = row["label"] == "abusive"
        if reading.abusive and abusive:
            abuse.tp += 1
        elif reading.abusive:
            abuse.fp += 1
            abuse.misses.append(f"{row['id']}: flagged ({row['label']})")
        elif abusive:
            abuse.fn += 1
            abuse.misses.append(f"{row['id']}: missed")
        if row["label"] == "upset":
            upset_total += 1
            upset_flagged += reading.abusive
        expected_tone = "upset" if abusive else row["label"]
        tone_correct += reading.tone == expected_tone
    return MessageScore(abuse, upset_total, upset_flagged, tone_correct, len(rows))


def sample_draft(length: int = 2000) -> str:
    """A realistic long draft that trips several checks, padded to the given length."""
    body = (
        "Thank you for your patience while we looked into the missing delivery. As I already said, the "
        "parcel left our warehouse on Monday and the courier scanned it at the depot on Tuesday. I have "
        "raised an RMA with L2 so that a replacement goes out today, and it will arrive tomorrow. Please do "
        "NOT reply to THIS email!!! If you need anything else, the backend team will get back to you within "
        "3 days. Your card 4111 1111 1111 1111 was not charged twice; the second line is a pre-authorisation. "
    )
    text = "Hello,\n\n"
    while len(text) < length:
        text += body
    return text[:length] + "\n\nBest regards,\nSupport"


def time_draft_check(runs: int = 300, length: int = 2000) -> dict[str, float]:
    """Per-call timings in milliseconds of checking a draft of `length` characters (all checks on)."""
    ctx = DraftContext(
        customer_name="Carol Chen", agent_name="Alice Martin", customer_upset=True, sla_hours=24,
        delay_notice="Deliveries take 5 to 7 days longer", delay_min_hours=120, glossary=dict(DEFAULT_GLOSSARY),
    )  # fmt: skip
    base = sample_draft(length)
    check_draft(base, ctx)  # warm-up: compiles patterns and loads the readability dictionary
    wall, cpu = [], []
    for i in range(runs):
        # A different draft each time (as when typing), so no cache can answer for the checker.
        draft = base[: length - 12] + f" ref {i:07d}."
        start, start_cpu = time.perf_counter(), time.thread_time()
        check_draft(draft, ctx)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    wall.sort()
    cpu.sort()
    p95 = int(0.95 * (runs - 1))
    return {
        "runs": runs,
        "chars": len(base),
        # CPU time of this thread: the work itself, whatever else the machine's cores are doing.
        "p50": statistics.median(cpu),
        "p95": cpu[p95],
        "max": cpu[-1],
        # Wall-clock time: includes waiting for a core on a busy machine.
        "wall_p50": statistics.median(wall),
        "wall_p95": wall[p95],
    }
