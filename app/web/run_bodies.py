"""The body of POST /api/runs: `{experiment, device, config}`, each experiment's `config` validated by
its own pydantic model, and the older flat digits body still accepted.

The config models are built from the experiments' config dataclasses (app/training/config_fields.py),
so a bound is written once. Errors are FastAPI's 422 body; one inside `config` names `config.<field>`
(loc `["body", "config", "<field>"]`), one in a flat body names the top-level field, as it always did.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, create_model, model_validator
from pydantic_core import PydanticCustomError

from app.training.config_fields import SettingSpec, specs
from app.training.experiments import CONFIGS
from app.web.schemas import StrictBody

ExperimentName = Literal["digits", "tinylm"]
DeviceName = Literal["auto", "cpu", "cuda"]

# The flat body of the first version of the API: these digits settings at the top level, null meaning
# "the default", and `steps` 1000 when absent (saved links and the lesson's lab send it).
FLAT_FIELDS = ("alpha", "temperature", "steps", "seed", "omit_class", "student_hidden")
FLAT_DEFAULT_STEPS = 1000


def _annotation(spec: SettingSpec) -> Any:
    """The pydantic type of one setting: strict (no "3" for 3, no true for 1), finite, bounded."""
    b = spec.bounds
    if spec.type is str:
        base: Any = Literal[b.choices] if b.choices else Annotated[str, Field(strict=True, max_length=100)]
    else:
        base = Annotated[spec.type, Field(strict=True, ge=b.ge, gt=b.gt, le=b.le, multiple_of=b.multiple_of,
                                          **({"allow_inf_nan": False} if spec.type is float else {}))]
    return Optional[base] if spec.nullable else base


def config_model(config_class: type, title: str) -> type[BaseModel]:
    """The pydantic model of an experiment's config dataclass: its fields, defaults, bounds and docs."""
    fields = {s.name: (_annotation(s), Field(default=s.default, description=s.bounds.description))
              for s in specs(config_class)}
    return create_model(title, __config__=ConfigDict(extra="forbid", title=title),
                        __doc__=f"The settings of a {title.removesuffix('Config').lower()} run; "
                                "unset ones take the defaults shown.", **fields)


CONFIG_MODELS: dict[str, type[BaseModel]] = {
    "digits": config_model(CONFIGS["digits"], "DigitsConfig"),
    "tinylm": config_model(CONFIGS["tinylm"], "TinyLMConfig"),
}

# /openapi.json shows `config` as one of the two models (inline: they have no nested models).
_CONFIG_SCHEMA = {"oneOf": [m.model_json_schema() for m in CONFIG_MODELS.values()],
                  "description": "The experiment's settings: a DigitsConfig when experiment is digits, a "
                                 "TinyLMConfig when it is tinylm. Leave it out to send the older flat "
                                 "digits body instead."}


class _RunRequestBase(StrictBody):
    experiment: ExperimentName = Field("digits", description="which experiment to run")
    device: DeviceName = Field("auto", description="auto: the server's choice (CUDA when a CUDA worker or "
                                                   "device is there); cpu; cuda")
    config: Annotated[Optional[dict[str, Any]], WithJsonSchema(_CONFIG_SCHEMA)] = None

    @model_validator(mode="wrap")
    @classmethod
    def _say_where_settings_go(cls, data: Any, handler: Any) -> Any:
        """A setting sent at the top level that is not a flat digits field (tinylm's top_k, say) is still
        refused, with where it belongs in the message, not only "Extra inputs are not permitted"."""
        try:
            return handler(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            if not any(_stray_setting(e) for e in errors):
                raise
            raise ValidationError.from_exception_data(exc.title, [_with_hint(e) for e in errors]) from None


_digits = {s.name: s for s in specs(CONFIGS["digits"])}
_flat_fields = {name: (Optional[_annotation(_digits[name])],
                       Field(default=None, json_schema_extra={"deprecated": True},
                             description=f"flat digits body (use config.{name}): {_digits[name].bounds.description}"))
                for name in FLAT_FIELDS}
RunRequest: type[_RunRequestBase] = create_model(
    "RunRequest", __base__=_RunRequestBase,
    __doc__="`{experiment, device, config}`. The older flat digits body (alpha, temperature, steps, seed, "
            "omit_class, student_hidden at the top level, no `config`) is still accepted.",
    **_flat_fields)


def _stray_setting(error: Any) -> str | None:
    """The experiments that have the setting an extra_forbidden error is about, joined ("tinylm")."""
    if error["type"] != "extra_forbidden" or len(error["loc"]) != 1:
        return None
    owners = [name for name, model in CONFIG_MODELS.items() if error["loc"][0] in model.model_fields]
    return " and ".join(owners) or None


def _with_hint(error: Any) -> Any:
    owners = _stray_setting(error)
    if owners is None:
        return {key: error[key] for key in ("type", "loc", "input", "ctx") if key in error}
    name = error["loc"][0]
    message = (f"{name} is a {owners} setting: it goes inside `config`, "
               f'{{"experiment": "{owners.split()[0]}", "config": {{"{name}": …}}}}')
    return {"type": PydanticCustomError("extra_forbidden", message), "loc": error["loc"], "input": error["input"]}


def _invalid(loc: tuple, message: str, value: Any) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": message, "input": value}])


def run_settings(body: _RunRequestBase) -> tuple[str, dict, tuple[str, ...]]:
    """(experiment, the settings the client chose, the loc under which errors in them are reported).

    Raises RequestValidationError (FastAPI's 422) naming `config.<field>`, or the flat field.
    """
    flat = body.model_dump(include=set(FLAT_FIELDS), exclude_unset=True)
    if body.config is not None:
        if flat:
            name = next(iter(flat))
            raise _invalid(("body", name), f"with `config`, every setting goes inside it: use config.{name}",
                           flat[name])
        try:
            config = CONFIG_MODELS[body.experiment].model_validate(body.config)
        except ValidationError as exc:
            raise RequestValidationError([{**e, "loc": ("body", "config", *e["loc"])}
                                          for e in exc.errors(include_url=False)]) from None
        return body.experiment, config.model_dump(exclude_unset=True), ("body", "config")
    if body.experiment != "digits":
        if flat:
            raise _invalid(("body", "config"), f"{body.experiment} settings go in `config`: "
                           f'{{"experiment": "{body.experiment}", "device": …, "config": {{…}}}}', None)
        return body.experiment, {}, ("body", "config")
    settings = {k: v for k, v in flat.items() if v is not None or k == "omit_class"}
    return "digits", {"steps": FLAT_DEFAULT_STEPS, **settings}, ("body",)
