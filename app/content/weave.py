"""Glossary terms woven into a lesson's HTML: the first use of each term in each section (`##` heading)
becomes a link to its glossary entry that also describes it (static/js/glossary-terms.js shows the
definition on hover, focus or tap).

Works on the rendered HTML, so the Markdown renderer needs no knowledge of the glossary. Text inside
links, code, headings, widgets (`<figure>`), scripts and form controls is left alone; a term in a
heading is not linked but does mark its section as one that uses (and so may teach) it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from markupsafe import escape

from app.content.glossary import Entry, build_entries
from app.content.loader import Track

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SKIP_TAGS = {"a", "code", "pre", "kbd", "samp", "figure", "script", "style", "button", "label", "select", "textarea",
             "svg", "math", *HEADINGS}


@dataclass
class Woven:
    html: str
    first_section: dict[str, str | None] = field(default_factory=dict)   # entry anchor -> first section using it
    linked: set[str] = field(default_factory=set)                         # anchors of the entries linked


def term_pattern(entries: list[Entry]) -> tuple[re.Pattern[str], dict[str, Entry]]:
    """One regex for every spelling of every term (longest first, so "top-k capture" beats "top-k"), the
    first letter in either case (a sentence may start with it), an optional plural "s"."""
    by_form: dict[str, Entry] = {}
    for entry in entries:
        for form in entry.forms:
            by_form.setdefault(form.casefold(), entry)
    alternatives = []
    for form in sorted(by_form, key=len, reverse=True):
        original = next(f for e in entries for f in e.forms if f.casefold() == form)
        head, rest = original[0], re.escape(original[1:])
        first = f"[{re.escape(head.lower())}{re.escape(head.upper())}]" if head.isalpha() else re.escape(head)
        alternatives.append(first + rest + ("s?" if original[-1].isalpha() else ""))
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])") if alternatives else re.compile(r"(?!)")
    return pattern, by_form


def _entry_for(text: str, by_form: dict[str, Entry]) -> Entry:
    key = text.casefold()
    return by_form.get(key) or by_form[key[:-1]]


class _Weaver(HTMLParser):
    def __init__(self, pattern: re.Pattern[str], by_form: dict[str, Entry]) -> None:
        super().__init__(convert_charrefs=False)
        self.pattern = pattern
        self.by_form = by_form
        self.out: list[str] = []
        self.skip_depth = 0
        self.heading_depth = 0          # skip_depth when inside a heading and nothing else that skips
        self.section: str | None = None
        self.linked_here: set[str] = set()
        self.linked: set[str] = set()
        self.first_section: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.section = dict(attrs).get("id") or self.section
            self.linked_here = set()
        if tag in SKIP_TAGS:
            self.skip_depth += 1
            if tag in HEADINGS and self.skip_depth == 1:
                self.heading_depth = 1
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.skip_depth:
            self.skip_depth -= 1
            if tag in HEADINGS and self.skip_depth == 0:
                self.heading_depth = 0
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skip_depth:
            data = self.pattern.sub(self._link, data)
        elif self.skip_depth == self.heading_depth:
            for match in self.pattern.finditer(data):
                self.first_section.setdefault(_entry_for(match.group(0), self.by_form).anchor, self.section)
        self.out.append(data)

    def _link(self, match: re.Match[str]) -> str:
        entry = _entry_for(match.group(0), self.by_form)
        if entry.anchor in self.linked_here:
            return match.group(0)
        self.linked_here.add(entry.anchor)
        self.first_section.setdefault(entry.anchor, self.section)
        self.linked.add(entry.anchor)
        return (f'<a class="term" href="/glossary#{escape(entry.anchor)}" data-term="{escape(entry.anchor)}" '
                f'aria-describedby="def-{escape(entry.anchor)}">{match.group(0)}</a>')

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")


def weave_terms(html: str, entries: list[Entry]) -> Woven:
    pattern, by_form = term_pattern(entries)
    weaver = _Weaver(pattern, by_form)
    weaver.feed(html)
    weaver.close()
    return Woven(html="".join(weaver.out), first_section=weaver.first_section, linked=weaver.linked)


@dataclass
class Glossary:
    """The track's glossary, and each lesson's text with its terms woven in."""

    entries: list[Entry]
    woven_html: dict[str, str]          # lesson slug -> body HTML with term links
    linked: dict[str, set[str]]         # lesson slug -> anchors of the entries its text links

    def used_in(self, slug: str) -> list[Entry]:
        """Entries whose term the lesson's text links (their definitions go on its page)."""
        return [e for e in self.entries if e.anchor in self.linked[slug]]


def build_glossary(track: Track, path) -> Glossary:
    """Load the entries, weave every published lesson, and record where each term is used and which
    section of its own lesson first uses it (where it is taught, unless the glossary file says)."""
    entries = build_entries(track, path)
    woven_html: dict[str, str] = {}
    linked: dict[str, set[str]] = {}
    for slug in (e.slug for e in track.entries if e.slug in track.lessons):
        woven = weave_terms(track.lessons[slug].body_html, entries)
        woven_html[slug] = woven.html
        linked[slug] = woven.linked
        for entry in entries:
            if entry.anchor not in woven.first_section:
                continue
            entry.used_in.append(slug)
            if entry.lesson == slug and entry.section is None:
                entry.section = woven.first_section[entry.anchor]
    for entry in entries:
        lesson = track.lessons[entry.lesson]
        heading = dict(lesson.sections).get(entry.section) if entry.section else ("Key terms" if entry.key_term else None)
        entry.taught_where = f"Lesson {lesson.meta.id}" + (f", “{heading}”" if heading else "")
    return Glossary(entries=entries, woven_html=woven_html, linked=linked)
