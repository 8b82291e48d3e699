"""The track's glossary: every lesson's key terms plus `lessons/glossary.yaml` (terms the lessons lean on
without defining them), each with where it is taught, sorted the way a reader looks for it.

`lessons/glossary.yaml`:

    terms:                      # entries no lesson defines as a key term
      - term: logit
        definition: ...
        taught: kd-loss#temperature-softening-the-distribution   # lesson slug, optionally #section
        aliases: [raw score]    # optional: other ways the text writes it (plurals are matched anyway)
    aliases:                    # optional: other ways the text writes a lesson's key term
      "temperature (T)": [temperature]
    sort_as:                    # optional: where an entry is filed, when its own spelling misleads
      "T² factor": "temperature squared factor"

A bad file (unknown lesson or section, a term defined twice, an alias or sort key for a term that does
not exist) stops the app with a message naming it, like a bad lesson.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.content.loader import LessonError, Track
from app.content.model import KeyTerm


class _GlossaryTerm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    term: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    taught: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*(#[^\s#]+)?$")
    aliases: list[str] = Field(default_factory=list)


class _GlossaryFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    terms: list[_GlossaryTerm] = Field(default_factory=list)
    aliases: dict[str, list[str]] = Field(default_factory=dict)
    sort_as: dict[str, str] = Field(default_factory=dict)


@dataclass
class Entry:
    """One glossary entry: what it means, how the text writes it, where it is taught and used."""

    term: str
    definition: str
    anchor: str                       # id on the glossary page and of the lesson's key-term entry
    lesson: str                       # slug of the lesson that teaches it
    section: str | None               # anchor of the section that teaches it (None: the lesson's top)
    forms: list[str]                  # spellings matched in lesson text
    sort_key: str
    key_term: bool                    # defined in its lesson's "Key terms" (which then has `anchor`)
    used_in: list[str] = field(default_factory=list)   # slugs of lessons whose text uses it, track order
    taught_where: str = ""            # "Lesson 4.3, “Temperature: softening the distribution”"

    @property
    def taught_href(self) -> str:
        """The section that teaches it; failing that, its lesson's key-term entry, or the lesson."""
        target = self.section or (self.anchor if self.key_term else None)
        return f"/lessons/{self.lesson}" + (f"#{target}" if target else "")


def sort_key(term: str) -> str:
    """How a reader files a term: case and accents ignored, "T²" read as "T2", "_" and "-" as spaces,
    a leading symbol skipped (so "k" and "(k)" file together)."""
    text = unicodedata.normalize("NFKD", term).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[_\-·]+", " ", text)
    return re.sub(r"^[^0-9a-z]+", "", text).strip()


def text_forms(term: str) -> list[str]:
    """The ways lesson text writes a term: as given, and without a trailing "(T)"-style note."""
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", term).strip()
    return list(dict.fromkeys(f for f in (term, bare) if f))


def _anchor(term: str) -> str:
    return KeyTerm(term=term, definition="-").anchor


def _read_file(path: Path) -> _GlossaryFile:
    if not path.exists():
        return _GlossaryFile()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return _GlossaryFile.model_validate(raw)
    except yaml.YAMLError as exc:
        raise LessonError(f"{path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors())
        raise LessonError(f"{path}: {problems}") from None


def build_entries(track: Track, path: Path) -> list[Entry]:
    """Every entry of the track's glossary, in reading order (see `sort_key`)."""
    extra = _read_file(path)
    entries: dict[str, Entry] = {}

    def add(entry: Entry, where: str) -> None:
        key = entry.term.casefold()
        if key in entries:
            raise LessonError(f"{path}: “{entry.term}” ({where}) is already defined in lesson {entries[key].lesson}")
        entries[key] = entry

    for slug in (e.slug for e in track.entries if e.slug in track.lessons):
        for term in track.lessons[slug].meta.key_terms:
            add(Entry(term=term.term, definition=term.definition, anchor=term.anchor, lesson=slug, section=None,
                      forms=text_forms(term.term), sort_key=sort_key(term.term), key_term=True),
                f"a key term of {slug}")
    for item in extra.terms:
        slug, _, section = item.taught.partition("#")
        lesson = track.lesson(slug)
        if lesson is None:
            raise LessonError(f"{path}: “{item.term}” is taught in “{slug}”, which is not a published lesson")
        if section and section not in {anchor for anchor, _ in lesson.sections}:
            raise LessonError(f"{path}: “{item.term}”: lesson {slug} has no section “{section}”")
        add(Entry(term=item.term, definition=item.definition, anchor=_anchor(item.term), lesson=slug,
                  section=section or None, forms=[*text_forms(item.term), *item.aliases], sort_key=sort_key(item.term),
                  key_term=False),
            "in the glossary file")

    for what, table in (("aliases", extra.aliases), ("sort_as", extra.sort_as)):
        for term in table:
            if term.casefold() not in entries:
                raise LessonError(f"{path}: {what}: no glossary term “{term}”")
    for term, forms in extra.aliases.items():
        entries[term.casefold()].forms.extend(forms)
    for term, key in extra.sort_as.items():
        entries[term.casefold()].sort_key = sort_key(key)
    return sorted(entries.values(), key=lambda e: (e.sort_key, e.term))
