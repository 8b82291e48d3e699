"""Lesson Markdown to HTML: raw HTML off, headings with anchors, `::: widget NAME k=v` and `::: note Title`.

A widget directive is replaced by the Jinja partial `templates/_partials/widgets/NAME.html`, so the
markup a widget needs lives in templates (auto-escaped), never in lesson content.
"""
from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from markupsafe import escape

WidgetRenderer = Callable[..., str]  # (name, params, uid, **extra) -> HTML


@dataclass
class RenderResult:
    html: str
    sections: list[tuple[str, str]]
    widgets: list[str] = field(default_factory=list)
    placements: int = 0   # widget directives in the body, repeats included


class DirectiveError(ValueError):
    pass


def parse_directive(info: str, kind: str) -> tuple[str, dict[str, str]]:
    """'widget temperature preset=peaky' -> ('temperature', {'preset': 'peaky'})."""
    parts = shlex.split(info.strip())
    if not parts or parts[0] != kind:
        raise DirectiveError(f"expected '::: {kind} ...', got '::: {info.strip()}'")
    if len(parts) < 2:
        raise DirectiveError(f"'::: {kind}' needs a name")
    params: dict[str, str] = {}
    for item in parts[2:]:
        key, sep, value = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", key):  # T, as in a demo link
            raise DirectiveError(f"bad parameter {item!r} in '::: {info.strip()}' (want key=value)")
        params[key] = value
    return parts[1], params


def render_markdown(text: str, render_widget: WidgetRenderer, known_widgets: set[str]) -> RenderResult:
    widgets: list[str] = []

    def render_widget_open(self, tokens, idx, options, env):  # noqa: ANN001 - markdown-it's signature
        token = tokens[idx]
        if token.nesting != 1:
            return "</figcaption></figure>\n"
        name, params = parse_directive(token.info, "widget")
        if name not in known_widgets:
            raise DirectiveError(f"unknown widget {name!r}; known: {sorted(known_widgets)}")
        uid = f"{name}-{widgets.count(name) + 1}"
        widgets.append(name)  # every use, so the uid counts them; de-duplicated at the end
        return (f'<figure class="widget-frame" id="{escape(uid)}-frame">'
                f"{render_widget(name, params, uid)}<figcaption>")

    def render_note(self, tokens, idx, options, env):  # noqa: ANN001
        token = tokens[idx]
        if token.nesting != 1:
            return "</aside>\n"
        title = token.info.strip()[len("note"):].strip() or "Note"
        return f'<aside class="note" role="note"><p class="note-title">{escape(title)}</p>\n'

    md = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
          .enable("table")
          .use(anchors_plugin, min_level=2, max_level=3, permalink=False)
          .use(container_plugin, name="widget", render=render_widget_open)
          .use(container_plugin, name="note", render=render_note))
    # A code block that scrolls sideways must be reachable from the keyboard (axe: scrollable-region-focusable).
    default_fence = md.renderer.rules["fence"]
    md.add_render_rule("fence", lambda self, tokens, idx, options, env:
                       default_fence(tokens, idx, options, env).replace("<pre>", '<pre tabindex="0">', 1))
    env: dict = {}
    tokens = md.parse(text, env)
    sections: list[tuple[str, str]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h2":
            sections.append((tok.attrs.get("id", ""), tokens[i + 1].content))
    html = md.renderer.render(tokens, md.options, env)
    unique = list(dict.fromkeys(widgets))
    return RenderResult(html=html, sections=sections, widgets=unique, placements=len(widgets))
