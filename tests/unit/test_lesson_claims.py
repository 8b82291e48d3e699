"""The claims registry (lessons/claims.yaml): every claim a lesson makes is still in the lesson and still true.

test_lesson_claim runs once per claim backed by a check (tests/unit/lesson_claim_checks.py), its id
naming the lesson and the claim (e.g. test_lesson_claim[kd-loss:two-favourites]); it fails when the
sentence is no longer in the lesson or the code no longer says what it says. The other tests hold the
registry to the lessons: no typed digit outside a registered quote, no computed claim unused, no numeric
quiz answer unbacked, docs/CLAIMS.md current.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from app.content import claims as computed
from app.content.claims_doc import render_claims_doc
from app.content.claims_registry import Claim, load_registry
from tests.unit.lesson_claim_checks import CHECKS, SETTINGS, TEXTS

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = load_registry(SETTINGS.lessons_dir)

# --- the registry and the lessons -------------------------------------------------------------------

ALL_CLAIMS = [(slug, claim) for slug, claims in REGISTRY.lessons.items() for claim in claims]


@pytest.mark.parametrize("slug,claim", [(s, c) for s, c in ALL_CLAIMS if c.check],
                         ids=[f"{s}:{c.id}" for s, c in ALL_CLAIMS if c.check])
def test_lesson_claim(slug: str, claim: Claim):
    assert TEXTS[slug].occurrences(claim.quote), f"{slug}: the lesson no longer says {claim.quote!r}"
    CHECKS[claim.check]()


@pytest.mark.parametrize("slug,claim", ALL_CLAIMS, ids=[f"{s}:{c.id}" for s, c in ALL_CLAIMS])
def test_every_registered_quote_is_in_its_lesson(slug: str, claim: Claim):
    assert slug in TEXTS, f"no lesson {slug!r}"
    assert TEXTS[slug].occurrences(claim.quote), f"{slug}: the lesson no longer says {claim.quote!r}"


def test_every_check_is_used_and_every_named_test_exists():
    used = {c.check for _, c in ALL_CLAIMS if c.check}
    assert used == set(CHECKS), f"unused checks: {set(CHECKS) - used}; missing: {used - set(CHECKS)}"
    for _, claim in ALL_CLAIMS:
        if claim.test:
            path, name = claim.test.split("::")
            module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
            assert callable(getattr(module, name, None)), f"{claim.id}: no test {claim.test}"


@pytest.mark.parametrize("slug", sorted(TEXTS))
def test_every_number_a_lesson_types_is_a_registered_claim(slug: str):
    text = TEXTS[slug]
    covered = [span for claim in REGISTRY.lessons.get(slug, []) for span in text.occurrences(claim.quote)]
    loose = [text.context(n) for n in text.numbers() if not any(a <= n[0] and n[1] <= b for a, b in covered)]
    assert not loose, (f"{slug}: numbers outside every registered claim; compute them ({{{{name}}}}) or add "
                       f"them to lessons/claims.yaml:\n" + "\n".join(loose))


@pytest.mark.parametrize("slug", sorted(TEXTS))
def test_every_typed_numeric_answer_is_backed(slug: str):
    backed = {c.quiz for c in REGISTRY.lessons.get(slug, []) if c.quiz}
    for q in TEXTS[slug].front_matter["quiz"]:
        if q["type"] == "numeric" and not computed.PLACEHOLDER.fullmatch(str(q["answer"])):
            assert q["id"] in backed, f"{slug}: answer of {q['id']} is typed and no claim backs it"
            claim = next(c for c in REGISTRY.lessons[slug] if c.quiz == q["id"])
            assert f"{q['answer']}" in claim.quote, f"{q['id']}: its claim does not state {q['answer']}"


def test_every_computed_claim_is_printed_by_a_lesson(track):
    used = set().union(*(lesson.claims_used for lesson in track.lessons.values()))
    assert used == set(computed.COMPUTED), f"computed but never printed: {set(computed.COMPUTED) - used}"


def test_docs_claims_md_is_current():
    doc = ROOT / "docs" / "CLAIMS.md"
    assert doc.read_text(encoding="utf-8") == render_claims_doc(SETTINGS.lessons_dir), (
        "docs/CLAIMS.md is out of date: .venv/bin/python -m app.content.claims_doc > docs/CLAIMS.md")


@pytest.fixture(scope="module")
def track():
    from app.content import load_track
    from app.web.predictions import check_truth
    from app.web.templating import known_widgets, make_templates, widget_renderer

    templates = make_templates(SETTINGS.templates_dir, SETTINGS.static_dir)
    return load_track(SETTINGS.lessons_dir, widget_renderer(templates), known_widgets(SETTINGS.templates_dir),
                      check_truth=check_truth)
