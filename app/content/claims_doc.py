"""docs/CLAIMS.md, generated: every claim the lessons make and what backs it, for a reviewer to read.

    .venv/bin/python -m app.content.claims_doc > docs/CLAIMS.md

A test (tests/unit/test_lesson_claims.py) fails when the file differs from what this prints.
"""
from __future__ import annotations

import sys
from pathlib import Path

from app.content.claims import COMPUTED, PLACEHOLDER, claim_values
from app.content.claims_registry import Claim, load_registry

_BACKING = {
    "check": "checked: `{check}` in tests/unit/lesson_claim_checks.py",
    "test": "checked by `{test}`",
    "source": "cited: {source}",
    "not_math": "not a claim: {not_math}",
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _quote(claim: Claim, values: dict[str, str]) -> str:
    """The quote as a reader sees it, each computed number shown as value{name}."""
    return _cell(PLACEHOLDER.sub(lambda m: f"**{values[m.group(1)]}**", claim.quote))


def _backing(claim: Claim) -> str:
    text = _BACKING[claim.backing].format(**claim.model_dump())
    if claim.source and claim.backing != "source":
        text += f"; cited: {claim.source}"
    if claim.quiz:
        text += f"; backs the answer of quiz `{claim.quiz}`"
    return _cell(text)


def render_claims_doc(lessons_dir: Path) -> str:
    registry = load_registry(lessons_dir)
    values = claim_values()
    lines = [
        "# Claims the lessons make, and what backs each one",
        "",
        "Generated from `lessons/claims.yaml` and `app/content/claims.py` by",
        "`.venv/bin/python -m app.content.claims_doc > docs/CLAIMS.md`; a test fails when this file is stale,",
        "when a quote below is no longer in its lesson, when a check fails, or when a lesson types a digit",
        "outside every registered quote (tests/unit/test_lesson_claims.py).",
        "",
        "## Numbers computed at start-up",
        "",
        "A lesson writes `{{name}}`; the app fills in the value the code computes when it starts, so these",
        "cannot drift from the code. Bold numbers in the tables further down are these.",
        "",
        "| name | value | what it is | computed by |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{c.name}` | {values[c.name]} | {_cell(c.says)} | `{c.code}` |" for c in COMPUTED.values()]
    for slug, claims in registry.lessons.items():
        lines += ["", f"## {slug}", "", "| claim | the lesson says | backed by |", "|---|---|---|"]
        lines += [f"| `{c.id}` | {_quote(c, values)} | {_backing(c)} |" for c in claims]
    return "\n".join(lines) + "\n"


def main() -> None:
    from app.settings import get_settings

    sys.stdout.write(render_claims_doc(get_settings().lessons_dir))


if __name__ == "__main__":
    main()
