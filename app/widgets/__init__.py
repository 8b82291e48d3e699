"""One description per widget: its title, its state's parameters (types, limits, defaults), presets and
demo keys. The demo page, the query-string cleaner, the templates, the class sessions and (through what
the templates render) the explorers' JavaScript all read it. Imports no web code."""
from app.widgets.registry import WIDGETS, WidgetSpec, widget_spec
from app.widgets.state import StateError, clean_query, validate_state

__all__ = ["WIDGETS", "WidgetSpec", "widget_spec", "StateError", "clean_query", "validate_state"]
