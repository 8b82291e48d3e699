"""Request and answer bodies of the explorers' endpoints under /api/kd (soften, loss, T², reduction, KL direction).

Shape rules that one field cannot check alone (rows of equal length, a teacher shaped like the student,
a label inside the vocabulary) are checked by the later field against the earlier ones, so the 422
names the field that is wrong. Every answer is bounded in size by its request's limits (at most
MAX_ANSWER_CELLS numbers per array, a few hundred KB of JSON), so no request can ask for megabytes.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from app.kd.reduction import MAX_BATCH, MAX_SEQ_LEN
from app.web.schemas import MAX_ANSWER_CELLS, MAX_LOGITS, MAX_TEMPERATURES, Alpha, Logit, StrictBody, Temperature

MAX_ROWS = 256
# rows × vocabulary. The answer holds six matrices of that shape (gradients and probabilities), and a
# 64 × 128 request took 15 ms of compute and 1.1 MB of JSON: 2,048 keeps an answer near 300 KB and 4 ms.
MAX_CELLS = 2_048

Label = Annotated[int, Field(strict=True, ge=-100, le=MAX_LOGITS)]
Row = Annotated[list[Logit], Field(min_length=1, max_length=MAX_LOGITS)]


def _answer_cells(temperatures: list[float], info: ValidationInfo, logits_field: str) -> list[float]:
    """A row of answers per temperature, one number per logit: their product bounds the answer's size."""
    logits = info.data.get(logits_field)
    if logits is not None and len(logits) * len(temperatures) > MAX_ANSWER_CELLS:
        raise ValueError(f"{len(logits)} logits × {len(temperatures)} temperatures is more than "
                         f"{MAX_ANSWER_CELLS} in all; ask for fewer temperatures")
    return temperatures


class SoftenRequest(StrictBody):
    logits: list[Logit] = Field(min_length=1, max_length=MAX_LOGITS)
    temperatures: list[Temperature] = Field(min_length=1, max_length=MAX_TEMPERATURES,
                                            description=f"at most {MAX_ANSWER_CELLS} logits × temperatures")

    @field_validator("temperatures")
    @classmethod
    def bounded_answer(cls, temperatures: list[float], info: ValidationInfo) -> list[float]:
        return _answer_cells(temperatures, info, "logits")


class SoftenResponse(BaseModel):
    temperatures: list[float]
    probs: list[list[float]] = Field(description="softmax(logits / T), one row per temperature")
    entropy_bits: list[float]
    mass_off_top: list[float] = Field(description="1 − the largest probability, per temperature")
    mean_logit: list[float] = Field(description="Σ p_i·logit_i per temperature: as T rises a class gains "
                                                "probability while its logit is below this, and loses it above")


def _same_shape(name: str, rows: list[list[float]], info: ValidationInfo) -> list[list[float]]:
    student = info.data.get("student_logits")
    if student is None:  # the student field already failed; its own error says why
        return rows
    if len(rows) != len(student):
        raise ValueError(f"{name} has {len(rows)} rows but student_logits has {len(student)}")
    for i, (mine, theirs) in enumerate(zip(rows, student)):
        if len(mine) != len(theirs):
            raise ValueError(f"row {i} of {name} has {len(mine)} logits but student_logits has {len(theirs)}")
    return rows


class LossInputs(StrictBody):
    """The loss's inputs other than alpha and T (shared by POST /api/kd/loss and the alpha explorer's tables)."""

    student_logits: list[Row] = Field(min_length=1, max_length=MAX_ROWS,
                                      description="one row of vocabulary logits per position")
    teacher_logits: list[Row] = Field(min_length=1, max_length=MAX_ROWS)
    labels: list[Label] = Field(min_length=1, max_length=MAX_ROWS, description="gold class per row; -100 = no label")
    kl_reduction: Literal["seed", "token_mean"] = "seed"

    @field_validator("student_logits")
    @classmethod
    def rows_of_equal_length(cls, rows: list[list[float]]) -> list[list[float]]:
        width = len(rows[0])
        for i, row in enumerate(rows):
            if len(row) != width:
                raise ValueError(f"row {i} has {len(row)} logits but row 0 has {width}; every row needs the same vocabulary")
        if len(rows) * width > MAX_CELLS:
            raise ValueError(f"at most {MAX_CELLS} logits in all (rows × vocabulary)")
        return rows

    @field_validator("teacher_logits")
    @classmethod
    def teacher_like_student(cls, rows: list[list[float]], info: ValidationInfo) -> list[list[float]]:
        return _same_shape("teacher_logits", rows, info)

    @field_validator("labels")
    @classmethod
    def labels_in_vocabulary(cls, labels: list[int], info: ValidationInfo) -> list[int]:
        student = info.data.get("student_logits")
        if student is None:
            return labels
        if len(labels) != len(student):
            raise ValueError(f"{len(labels)} labels for {len(student)} rows of logits: give one per row")
        vocab = len(student[0])
        for i, label in enumerate(labels):
            if label != -100 and not 0 <= label < vocab:
                raise ValueError(f"label {i} is {label}; use a class 0..{vocab - 1}, or -100 for no label")
        return labels


class LossRequest(LossInputs):
    alpha: Alpha = 0.5
    temperature: Temperature = 2.0


class LossGradients(BaseModel):
    ce: list[list[float]] = Field(description="∂(alpha·CE)/∂student_logits")
    kd: list[list[float]] = Field(description="∂((1 − alpha)·T²·KL)/∂student_logits")
    total: list[list[float]] = Field(description="∂loss/∂student_logits = ce + kd")


class AlphaSweep(BaseModel):
    alpha: list[float]
    weighted_ce: list[float]
    weighted_kd: list[float]
    loss: list[float]


class LossProbabilities(BaseModel):
    student: list[list[float]] = Field(description="softmax(student_logits), T = 1")
    student_t: list[list[float]] = Field(description="softmax(student_logits / T)")
    teacher_t: list[list[float]] = Field(description="softmax(teacher_logits / T)")


class LossResponse(BaseModel):
    loss: float
    ce: float = Field(description="CE(student, gold), mean over labelled rows; 0 when no row has a label")
    kl: float = Field(description="KL(teacher_T ‖ student_T), reduced as asked, without T²")
    kd_term: float = Field(description="T²·kl")
    weighted_ce: float
    weighted_kd: float
    grad: LossGradients
    alpha_sweep: AlphaSweep = Field(description="the weighted parts and the loss for alpha from 0 to 1")
    probs: LossProbabilities


class LogitPair(StrictBody):
    """A student's and a teacher's logits over one vocabulary."""

    student_logits: list[Logit] = Field(min_length=2, max_length=MAX_LOGITS)
    teacher_logits: list[Logit] = Field(min_length=2, max_length=MAX_LOGITS)

    @field_validator("teacher_logits")
    @classmethod
    def teacher_like_student(cls, logits: list[float], info: ValidationInfo) -> list[float]:
        student = info.data.get("student_logits")
        if student is not None and len(logits) != len(student):
            raise ValueError(f"teacher_logits has {len(logits)} logits but student_logits has {len(student)}")
        return logits


class TemperatureGradientsRequest(LogitPair):
    temperatures: list[Temperature] = Field(min_length=1, max_length=MAX_TEMPERATURES,
                                            description=f"at most {MAX_ANSWER_CELLS} logits × temperatures")

    @field_validator("temperatures")
    @classmethod
    def bounded_work(cls, temperatures: list[float], info: ValidationInfo) -> list[float]:
        return _answer_cells(temperatures, info, "student_logits")


class TemperatureGradientsResponse(BaseModel):
    temperatures: list[float]
    grad_norm: list[float] = Field(description="‖∂KL(teacher_T ‖ student_T)/∂student_logits‖")
    grad_norm_t2: list[float] = Field(description="‖∂(T²·KL)/∂student_logits‖")
    logit_matching_limit: list[float] = Field(description="Hinton's high-T limit ‖(z − v)/N‖/T², zero-mean logits")
    high_t_slope: float | None = Field(description="log-log slope of grad_norm over the high-T range; ≈ −2")
    high_t_slope_t2: float | None = Field(description="the same for grad_norm_t2; ≈ 0")
    slope_fit_from: float = Field(description="the slopes are fitted over temperatures ≥ this")
    slope_fit_points: int
    practical_range: list[float] = Field(description="[1, 4]: the temperatures used in practice, where the "
                                                     "high-T limit holds only roughly")
    low_t_slope: float | None = Field(description="log-log slope of grad_norm over low_t_points temperatures "
                                                  "spread evenly in log T over practical_range (not the asked ones)")
    low_t_slope_t2: float | None = Field(description="the same for grad_norm_t2; far from 0 means T² does not "
                                                     "make the pull T-independent there")
    low_t_points: int
    practical_t2_ends: list[float] = Field(description="grad_norm_t2 at the two ends of practical_range")
    practical_t2_ratio: float | None = Field(description="practical_t2_ends[1] / practical_t2_ends[0]")


BatchSize = Annotated[int, Field(strict=True, ge=1, le=MAX_BATCH)]
SeqLen = Annotated[int, Field(strict=True, ge=1, le=MAX_SEQ_LEN)]
PromptLen = Annotated[int, Field(strict=True, ge=0, le=MAX_SEQ_LEN)]


class ReductionExample(StrictBody):
    """How the reduction explorer's example is drawn, apart from its shape."""

    vocab: Annotated[int, Field(strict=True, ge=2, le=128)] = 16
    temperature: Temperature = 2.0
    seed: Annotated[int, Field(strict=True, ge=0, le=2**31 - 1)] = 0


class ReductionSequence(ReductionExample):
    """The example's sequence length and prompt, without its batch size."""

    seq_len: SeqLen = 16
    # validate_default: the prompt's own default (6) may be longer than a seq_len the request gives
    prompt_len: PromptLen = Field(default=6, validate_default=True)

    @field_validator("prompt_len")
    @classmethod
    def prompt_inside_sequence(cls, prompt_len: int, info: ValidationInfo) -> int:
        seq_len = info.data.get("seq_len")
        if seq_len is not None and prompt_len > seq_len:
            raise ValueError(f"prompt_len {prompt_len} is longer than seq_len {seq_len}")
        return prompt_len


class ReductionRequest(ReductionSequence):
    batch_size: BatchSize = 2


class ReductionResponse(BaseModel):
    lengths: list[int]
    seed_kl: list[float] = Field(description="batchmean: KL summed over every position / batch size")
    token_mean_kl: list[float | None] = Field(description="mean over labelled positions; null before the first")
    labelled: list[int]
    masked: list[int] = Field(description="positions labelled -100 that the seed's KL still counts")
    per_position: list[list[float]] = Field(description="(batch, seq) KL at each position, full length")
    is_masked: list[list[bool]]
    masked_share_of_seed_kl: float = Field(description="the part of the seed's KL (full length) from masked positions")


Separation = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=12)]
LeftWeight = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.05, le=0.95)]
PeakWidth = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.4, le=3.0)]


class KLDirectionRequest(StrictBody):
    separation: Separation = 6.0
    left_weight: LeftWeight = 0.6
    width: PeakWidth = 1.0


class StudentFit(BaseModel):
    mean: float
    width: float
    kl: float = Field(description="the divergence this student minimises, at its minimum")
    probs: list[float]


class KLDirectionResponse(BaseModel):
    x: list[float]
    teacher: list[float]
    forward: StudentFit = Field(description="best student under KL(teacher ‖ student): mode covering")
    reverse: StudentFit = Field(description="best student under KL(student ‖ teacher): mode seeking")
    means: list[float]
    forward_by_mean: list[float] = Field(description="the lowest forward KL for a student peaked at each mean")
    reverse_by_mean: list[float]
