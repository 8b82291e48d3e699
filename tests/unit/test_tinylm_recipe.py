"""Recipe validation: every bad field is named in the message."""
from pathlib import Path

import pytest

from app.training.tinylm.recipe import KDRecipe, RecipeError, load_recipe, parse_recipe


@pytest.fixture
def capture_file(tmp_path):
    path = tmp_path / "cap.jsonl"
    path.write_text("{}\n")          # existence is all the recipe checks; the trainer validates content
    return path


def _base(capture_file, **over):
    data = {"training_mode": "distillation", "teacher_capture": str(capture_file),
            "kd": {"alpha": 0.3, "temperature": 2.0, "top_k": 8}, "steps": 50, "seed": 3,
            "output": str(capture_file.parent / "out")}
    data.update(over)
    return data


def test_a_good_recipe(capture_file):
    r = parse_recipe(_base(capture_file))
    assert r.training_mode == "distillation" and r.kd == KDRecipe(0.3, 2.0, 8)
    assert r.steps == 50 and r.seed == 3 and r.teacher_capture == capture_file
    assert r.batch_size == 64 and r.device == "auto"


def test_defaults_for_kd_and_sft_mode(capture_file):
    r = parse_recipe(_base(capture_file, training_mode="sft", kd=None))
    assert r.training_mode == "sft" and r.kd == KDRecipe()


BAD = [
    ({"training_mode": "distill"}, "training_mode: must be one of distillation, sft"),
    ({"kd": {"alpha": 1.5}}, "kd.alpha: must be a number in [0, 1], got 1.5"),
    ({"kd": {"alpha": "half"}}, "kd.alpha:"),
    ({"kd": {"temperature": 0}}, "kd.temperature: must be a number in (0, 100]"),
    ({"kd": {"top_k": 0}}, "kd.top_k: must be an integer"),
    ({"kd": {"top_k": 2.5}}, "kd.top_k:"),
    ({"kd": {"alpah": 0.5}}, "kd.alpah: unknown field"),
    ({"kd": [0.5]}, "kd: must be a mapping"),
    ({"steps": 0}, "steps: must be an integer in [1, 100000]"),
    ({"steps": True}, "steps:"),
    ({"seed": -1}, "seed:"),
    ({"learning_rate": 0}, "learning_rate:"),
    ({"batch_size": 10**6}, "batch_size:"),
    ({"device": "tpu"}, "device: must be one of auto, cpu, cuda"),
    ({"teacher_capture": "/no/such/file.jsonl"}, "teacher_capture: file not found"),
    ({"teacher_capture": 3}, "teacher_capture: must be a path"),
    ({"output": ""}, "output: must be a path"),
    ({"epochs": 3}, "epochs: unknown field"),
]


@pytest.mark.parametrize("change, message", BAD)
def test_bad_fields_are_named(capture_file, change, message):
    with pytest.raises(RecipeError) as err:
        parse_recipe(_base(capture_file, **change))
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("field", ["training_mode", "teacher_capture", "output"])
def test_missing_required_fields(capture_file, field):
    data = _base(capture_file)
    del data[field]
    with pytest.raises(RecipeError, match=f"^{field}: required field is missing"):
        parse_recipe(data)


def test_output_that_is_a_file(capture_file):
    with pytest.raises(RecipeError, match="^output: .* is not a directory"):
        parse_recipe(_base(capture_file, output=str(capture_file)))


def test_yaml_files(tmp_path, capture_file, monkeypatch):
    good = tmp_path / "r.yaml"
    # a relative capture path is found next to the recipe when the current directory lacks it
    good.write_text("training_mode: sft\nteacher_capture: cap.jsonl\noutput: out\n")
    monkeypatch.chdir("/")
    assert load_recipe(good).teacher_capture == capture_file
    bad = tmp_path / "bad.yaml"
    bad.write_text("training_mode: [sft\n")
    with pytest.raises(RecipeError, match="not valid YAML"):
        load_recipe(bad)
    listy = tmp_path / "list.yaml"
    listy.write_text("- 1\n- 2\n")
    with pytest.raises(RecipeError, match="^recipe: must be a mapping"):
        load_recipe(listy)
    with pytest.raises(RecipeError, match="^recipe: file not found"):
        load_recipe(Path(tmp_path / "none.yaml"))
