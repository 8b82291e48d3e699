"""Run settings described once: the dataclass checks and the API's pydantic models agree on every value."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st
from pydantic import ValidationError

from app.training.config_fields import settings_problems, specs
from app.training.digits.config import DigitsRunConfig, digits_problems
from app.training.experiments import CONFIGS
from app.training.tinylm.config import TinyLMRunConfig, config_problems, run_config
from app.web.run_bodies import CONFIG_MODELS


def test_the_messages_state_what_is_accepted():
    assert digits_problems({"alpha": 2}) == {"alpha": "must lie in [0, 1]"}
    assert digits_problems({"lr": 0}) == {"lr": "must lie in (0, 1]"}
    assert digits_problems({"omit_class": 10}) == {"omit_class": "must be null or an integer in [0, 9]"}
    assert digits_problems({"steps": 0}) == {"steps": "must be an integer >= 1"}
    assert digits_problems({"seed": -1}) == {"seed": "must be an integer in [0, 2147483647]"}
    assert config_problems({"student_hidden": 18}) == {
        "student_hidden": "must be an integer in [8, 64] and a multiple of 4"}
    assert config_problems({"training_mode": "rl"}) == {"training_mode": "must be one of distillation, sft"}
    assert config_problems({"colour": "red"}) == {"colour": "not a tinylm run setting"}


@pytest.mark.parametrize("value", [True, "1", 1.5, math.nan, math.inf, None])
def test_integers_are_integers(value):
    assert "steps" in digits_problems({"steps": value})


@pytest.mark.parametrize("value", [True, "0.5", math.nan, -math.inf, None])
def test_numbers_are_finite_numbers(value):
    assert "alpha" in digits_problems({"alpha": value})


def test_defaults_are_valid_and_dataclasses_refuse_bad_values():
    for cls in CONFIGS.values():
        assert settings_problems(cls, cls().as_dict(), "x") == {}
    with pytest.raises(ValueError, match="alpha: must lie in"):
        DigitsRunConfig(alpha=1.5)
    with pytest.raises(ValueError, match="top_k: must be an integer in"):
        run_config({"top_k": 0})
    assert run_config({"top_k": 3}) == TinyLMRunConfig(top_k=3)


def test_every_setting_is_described():
    for cls in CONFIGS.values():
        assert all(s.bounds.description for s in specs(cls)), cls


def _candidates(spec):
    b = spec.bounds
    edges = [x for v in (b.ge, b.gt, b.le) if v is not None for x in (v, v - 1, v + 1, v - 1e-9, v + 1e-9)]
    return st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
                     st.sampled_from(edges or [0]), st.sampled_from([int(x) for x in edges if math.isfinite(x)] or [0]),
                     st.text(max_size=3), st.sampled_from(list(b.choices or ("x",))))


@pytest.mark.parametrize("experiment", sorted(CONFIGS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_api_model_accepts_exactly_what_the_dataclass_accepts(experiment, data):
    spec = data.draw(st.sampled_from(specs(CONFIGS[experiment])))
    value = data.draw(_candidates(spec))
    problems = settings_problems(CONFIGS[experiment], {spec.name: value}, experiment)
    try:
        CONFIG_MODELS[experiment].model_validate({spec.name: value})
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (problems == {}), (spec.name, value, problems)
