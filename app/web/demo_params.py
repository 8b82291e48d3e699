"""Query-string state of the demo pages, validated like API input.

A demo link carries an explorer's whole state (`/demo/alpha?alpha=0.3&T=4&student=1,2,0&...`). Each
value is checked here; a bad one is dropped, so the widget falls back to its default, and the page says
which value was ignored and why. The cleaned values go to the widget as text, in the same format as
a lesson's `::: widget NAME key=value` parameters.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

MAX_LIST = 64
ALPHA_PRESET_CLASSES = 5   # cat, dog, fox, wolf, owl (static/js/widgets/alpha.js)


@dataclass(frozen=True)
class Number:
    low: float
    high: float
    integer: bool = False

    def clean(self, text: str) -> tuple[str | None, str]:
        try:
            value = float(text)
        except ValueError:
            return None, "is not a number"
        if not math.isfinite(value) or not self.low <= value <= self.high:
            return None, f"must lie between {self.low:g} and {self.high:g}"
        if self.integer and value != int(value):
            return None, "must be a whole number"
        return (str(int(value)) if self.integer else f"{value:g}"), ""


@dataclass(frozen=True)
class Numbers:
    min_len: int
    max_len: int
    bound: float = 1e4

    def clean(self, text: str) -> tuple[str | None, str]:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not self.min_len <= len(parts) <= self.max_len:
            return None, f"needs {self.min_len} to {self.max_len} comma-separated numbers"
        try:
            values = [float(p) for p in parts]
        except ValueError:
            return None, "must be comma-separated numbers"
        if not all(math.isfinite(v) and abs(v) <= self.bound for v in values):
            return None, f"numbers must lie between −{self.bound:g} and {self.bound:g}"
        return ",".join(f"{v:.6g}" for v in values), ""


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]

    def clean(self, text: str) -> tuple[str | None, str]:
        return (text, "") if text in self.options else (None, f"must be one of {', '.join(self.options)}")


# Bounds match the explorers' own controls (static/js/widgets/*.js).
DEMO_PARAMS: dict[str, dict[str, Number | Numbers | Choice]] = {
    "temperature": {"preset": Choice(("peaky", "digit", "tokens", "flat")),
                    "T": Number(0.1, 20), "logits": Numbers(1, MAX_LIST)},
    "alpha": {"preset": Choice(("agree", "wrong-teacher", "confident", "hot")),
              "alpha": Number(0, 1), "T": Number(0.5, 20),
              "student": Numbers(2, 32), "teacher": Numbers(2, 32), "label": Number(0, 31, integer=True)},
    "t-squared": {"preset": Choice(("digit", "close", "far", "tokens")),
                  "T": Number(0.5, 50), "student": Numbers(2, 32), "teacher": Numbers(2, 32)},
    "reduction": {"seq_len": Number(1, 48, integer=True), "prompt_len": Number(0, 48, integer=True),
                  "batch_size": Number(1, 8, integer=True)},
    "kl-direction": {"separation": Number(0, 10), "left_weight": Number(0.05, 0.95)},
    # static/js/widgets/live-run.js LIMITS; the run API checks again when a run starts.
    "live-run": {"preset": Choice(("race", "missing3")), "alpha": Number(0, 1), "T": Number(0.5, 20),
                 "student_hidden": Choice(("8", "16", "32", "64")), "steps": Number(10, 5000, integer=True),
                 "seed": Number(0, 2**31 - 1, integer=True), "omit_class": Number(0, 9, integer=True)},
}

# Pairs that must agree once each is valid on its own: (key, key it depends on, why).
_LENGTH_PARTNERS = {"teacher": "student"}


def clean_demo_params(widget: str, query: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """(the valid parameters as text, one sentence per value that was ignored)."""
    specs = DEMO_PARAMS.get(widget)
    if specs is None:          # a demo without a schema here validates its own
        return dict(query), []
    clean: dict[str, str] = {}
    notices: list[str] = []
    for key, text in query.items():
        spec = specs.get(key)
        if spec is None:
            notices.append(f"Ignored “{key}”: this demo has no such setting (it has {', '.join(specs)}).")
            continue
        value, why = spec.clean(text)
        if value is None:
            notices.append(f"Ignored {key}={text[:40]!r}: it {why}. Using the default instead.")
        else:
            clean[key] = value
    for key, partner in _LENGTH_PARTNERS.items():
        if key in clean and partner in clean and clean[key].count(",") != clean[partner].count(","):
            notices.append(f"Ignored {key}: it needs as many numbers as {partner}. Using the default instead.")
            del clean[key]
    if "prompt_len" in clean and "seq_len" in clean and int(clean["prompt_len"]) > int(clean["seq_len"]):
        notices.append(f"Ignored prompt_len={clean['prompt_len']}: the prompt cannot be longer than seq_len={clean['seq_len']}.")
        del clean["prompt_len"]
    if "label" in clean:
        # Without student logits in the link, the alpha explorer's presets have ALPHA_PRESET_CLASSES classes.
        classes = clean["student"].count(",") + 1 if "student" in clean else ALPHA_PRESET_CLASSES
        if int(clean["label"]) >= classes:
            notices.append(f"Ignored label={clean['label']}: there are only {classes} classes (0 to {classes - 1}).")
            del clean["label"]
    return clean, notices
