"""Guidelines benchmark: the draft checker's precision and recall per check, the abuse reading's F1 on the
labelled messages, and how long checking a 2,000-character draft takes (it runs as agents type).

    .venv/bin/python bench/guidelines.py            # all three; --runs N for more timing samples
    taskset -c 0 .venv/bin/python bench/guidelines.py   # pinned to one core

Plain Python: the checkers import no Django, so no database or server is needed.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpwell.guidelines.checks import CHECKS  # noqa: E402
from helpwell.guidelines.evaluation import (  # noqa: E402
    DRAFTS,
    DRAFTS_SECOND,
    MESSAGES,
    MESSAGES_SECOND,
    load,
    score_drafts,
    score_messages,
    time_draft_check,
)

P95_TARGET_MS = 20.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1000, help="timed draft checks (default 1000)")
    args = parser.parse_args()
    ok = True

    drafts = load(DRAFTS)
    scores = score_drafts(drafts)
    print(f"Draft checks on {len(drafts)} labelled drafts (tests/data/guidelines/{DRAFTS.name})")
    print(f"{'check':<14}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    for key in [*CHECKS, "overall"]:
        s = scores[key]
        print(f"{key:<14}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.precision:>11.3f}{s.recall:>8.3f}")
        ok &= s.precision >= 0.9 and s.recall >= 0.9
    print()

    messages = score_messages(load(MESSAGES))
    a = messages.abuse
    print(f"Abuse reading on {messages.total} labelled customer messages")
    print(
        f"abusive: tp {a.tp}, fp {a.fp}, fn {a.fn}; precision {a.precision:.3f}, recall {a.recall:.3f}, F1 {a.f1:.3f} (target >= 0.85)"
    )
    print(
        f"upset but acceptable flagged as abusive: {messages.upset_flagged}/{messages.upset_total} = {100 * messages.upset_flag_rate:.1f}% (target <= 5%)"
    )
    print(f"tone (positive / neutral / upset) accuracy: {100 * messages.tone_accuracy:.1f}%")
    ok &= a.f1 >= 0.85 and messages.upset_flag_rate <= 0.05
    print()

    second = score_drafts(load(DRAFTS_SECOND))["overall"]
    second_messages = score_messages(load(MESSAGES_SECOND))
    print(
        f"Second sets ({len(load(DRAFTS_SECOND))} drafts, {second_messages.total} messages, written after tuning on the first):"
    )
    print(
        f"drafts overall precision {second.precision:.3f}, recall {second.recall:.3f}; "
        f"abusive F1 {second_messages.abuse.f1:.3f}, upset flagged {100 * second_messages.upset_flag_rate:.1f}%"
    )
    ok &= second.precision >= 0.9 and second.recall >= 0.9 and second_messages.abuse.f1 >= 0.85
    print()

    timing = time_draft_check(runs=args.runs)
    print(f"Checking a {timing['chars']}-character draft, all 12 checks on, {timing['runs']} runs:")
    print(
        f"CPU time: p50 {timing['p50']:.2f} ms, p95 {timing['p95']:.2f} ms, max {timing['max']:.2f} ms "
        f"(target p95 < {P95_TARGET_MS:.0f} ms)"
    )
    print(
        f"wall clock (includes waiting for a core on a busy machine): p50 {timing['wall_p50']:.2f} ms, "
        f"p95 {timing['wall_p95']:.2f} ms"
    )
    ok &= timing["p95"] < P95_TARGET_MS
    print()
    print("all targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
