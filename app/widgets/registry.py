"""Every widget's description, in one place: title, state parameters, presets, demo keys, rules.

The names of the parameters are the names a demo link and a lesson directive use
(`/demo/alpha?alpha=0.3&T=4`, `::: widget alpha preset=agree`) and the keys of an explorer's
`queryState()` in static/js/widgets/*.js. Slider limits, scales and steps reach the JavaScript through
what the templates render from here (templates/_partials/fields.html), never a copy of their own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from app.widgets.params import MAX_LIST, Choice, Number, Numbers, Param
from app.widgets.rules import AtMost, IndexInto, Rule, SameLength

ALPHA_CLASSES = 5   # every alpha preset: cat, dog, fox, wolf, owl (static/js/widgets/alpha.js)


@dataclass(frozen=True)
class DemoKey:
    """On a demo page, `keys` (←/→ "sideways", ↑/↓ "updown") move `param`'s slider by `positions` steps
    (Shift: five times as far); a number field without a slider (the live lab's) moves by `positions` of
    its own step."""
    keys: Literal["sideways", "updown"]
    param: str
    positions: int

    def as_json(self) -> dict[str, Any]:
        return {"keys": self.keys, "param": self.param, "positions": self.positions}


@dataclass(frozen=True)
class WidgetSpec:
    name: str
    title: str
    params: dict[str, Param]
    presets: tuple[tuple[str, str], ...] = ()     # (name, what its button says), in key order 1…9
    keys: tuple[DemoKey, ...] = ()
    rules: tuple[Rule, ...] = ()
    demo: bool = True                             # has a presenter view at /demo/{name}
    classroom: bool = True                        # a class can follow it live (its script has loadState(params))
    runs: int = 0                                 # live runs its page shows at once; a class relays as many
    all_params: dict[str, Param] = field(init=False)

    def __post_init__(self) -> None:
        # The preset is part of the state (a link reopens it), its choices are the preset names.
        params = dict(self.params)
        if self.presets:
            params = {"preset": Choice(tuple(name for name, _ in self.presets), "preset"), **params}
        object.__setattr__(self, "all_params", params)

    def param(self, name: str) -> Param:
        return self.all_params[name]

    def sliders(self) -> dict[str, Number]:
        return {k: p for k, p in self.all_params.items() if isinstance(p, Number) and p.positions}

    def as_json(self) -> dict[str, Any]:
        """What a page's JavaScript may read about this widget (rendered into the page as JSON)."""
        return {"name": self.name, "title": self.title,
                "params": {k: p.as_json() for k, p in self.all_params.items()},
                "presets": [list(p) for p in self.presets], "keys": [k.as_json() for k in self.keys],
                "runs": self.runs}


def _t_slider(low: float, high: float) -> Number:
    return Number(low, high, "temperature T", scale="log", positions=1000, step=0.01)


def _logits(min_len: int, max_len: int, label: str) -> Numbers:
    return Numbers(min_len, max_len, label)


_T_KEYS = DemoKey("sideways", "T", 20)

_WIDGETS = [
    WidgetSpec(
        "temperature", "Temperature explorer",
        {"T": _t_slider(0.1, 20), "logits": _logits(1, MAX_LIST, "logits")},
        presets=(("peaky", "99/1 pair"), ("digit", "A handwritten 7"), ("tokens", "Next token"),
                 ("flat", "Nearly flat"), ("favourites", "Two favourites")),
        keys=(_T_KEYS,)),
    WidgetSpec(
        "alpha", "Alpha explorer",
        {"alpha": Number(0, 1, "alpha", positions=100, step=0.01), "T": _t_slider(0.5, 20),
         "student": _logits(2, 32, "student logits"), "teacher": _logits(2, 32, "teacher logits"),
         "label": Number(0, 31, "gold label", integer=True)},
        presets=(("agree", "Teacher agrees with the label"), ("wrong-teacher", "Teacher is wrong"),
                 ("confident", "Student already right"), ("hot", "High temperature")),
        keys=(_T_KEYS, DemoKey("updown", "alpha", 5)),
        rules=(SameLength("teacher", "student"), IndexInto("label", "student", ALPHA_CLASSES, "classes"))),
    WidgetSpec(
        "t-squared", "Why T²: the KL's pull across temperatures",
        {"T": _t_slider(0.5, 50), "student": _logits(2, 32, "student logits z"),
         "teacher": _logits(2, 32, "teacher logits v")},
        presets=(("digit", "A handwritten 7"), ("close", "Student close to teacher"),
                 ("far", "Student far from teacher"), ("tokens", "Next token")),
        keys=(_T_KEYS,),
        rules=(SameLength("teacher", "student"),)),
    WidgetSpec(
        "reduction", "batchmean against the token mean",
        {"seq_len": Number(1, 48, "sequence length", integer=True, default=16, positions=47, step=1),
         "prompt_len": Number(0, 48, "prompt positions", integer=True, default=6, positions=48, step=1),
         "batch_size": Number(1, 8, "batch size", integer=True, default=2, positions=7, step=1)},
        keys=(DemoKey("sideways", "seq_len", 1),),
        rules=(AtMost("prompt_len", "seq_len", "the prompt cannot be longer than the sequence"),)),
    WidgetSpec(
        "kl-direction", "Forward against reverse KL",
        {"separation": Number(0, 10, "distance between the peaks", default=6, positions=100, decimals=1, step=0.1),
         "left_weight": Number(0.05, 0.95, "left peak's share", default=0.6, positions=90, step=0.01)},
        keys=(DemoKey("sideways", "separation", 5),)),
    WidgetSpec(
        "live-run", "Live distillation lab",
        {"alpha": Number(0, 1, "alpha", default=0.5, step=0.05),
         "T": Number(0.5, 20, "temperature T", default=4, step=0.5),
         "student_hidden": Choice(("8", "16", "32", "64"), "student hidden width", default="32"),
         "steps": Number(10, 5000, "steps", integer=True, default=2000, step=100),
         "seed": Number(0, 2**31 - 1, "seed", integer=True, default=0, step=1),
         "omit_class": Number(0, 9, "left-out class", integer=True)},
        presets=(("race", "SFT vs KD race"), ("missing3", "The missing 3")),
        # One step of each field (T 0.5, alpha 0.05): the lab's fields are number boxes, not sliders.
        keys=(DemoKey("sideways", "T", 1), DemoKey("updown", "alpha", 1)),
        runs=4),   # a class sees the form and the instructor's runs, relayed without their ids
]

WIDGETS: dict[str, WidgetSpec] = {spec.name: spec for spec in _WIDGETS}


def widget_spec(name: str) -> WidgetSpec | None:
    return WIDGETS.get(name)
