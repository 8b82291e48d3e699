"""Bodies of `brewslm capture`, `brewslm train` and `brewslm train-teacher`.

app/cli.py registers them: `add_tinylm_commands(subparsers)`. Each handler returns an exit code;
bad input prints one line naming the option or field and returns 2, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app.training.tinylm import task


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}")
    return value


def _int_in(lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be in [{lo}, {hi}], got {value}")
        return value
    return parse


def _one_thread() -> None:
    from app.device import use_one_cpu_thread
    use_one_cpu_thread()


def _teachers():
    """The teacher under the settings' cache directory (BREWSLM_CACHE_DIR), as the server uses it."""
    from app.settings import get_settings
    from app.training.tinylm.teacher import TinyLMTeacherCache
    return TinyLMTeacherCache(get_settings().cache_dir)


def add_tinylm_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register capture, train and train-teacher on the `brewslm` parser."""
    cap = subparsers.add_parser("capture", help="write the teacher's top-k logprobs to teacher_capture.jsonl")
    cap.add_argument("--out", type=Path, required=True, help="where to write the JSONL file")
    cap.add_argument("--top-k", type=_int_in(1, task.V), required=True, help=f"ids kept per position (1..{task.V})")
    cap.add_argument("--examples", type=_int_in(1, 200_000), required=True, help="orders to capture")
    cap.add_argument("--temperature", type=_positive_float, default=1.0, help="capture temperature (default 1)")
    cap.add_argument("--seed", type=_int_in(0, 2**31 - 1), default=task.TRANSFER_SEED,
                     help=f"seed of the sampled orders (default {task.TRANSFER_SEED}, the transfer set)")
    cap.set_defaults(func=run_capture)

    train = subparsers.add_parser("train", help="the offline kd_trainer: train a student from RECIPE.yaml")
    train.add_argument("recipe", type=Path, help="the recipe (training_mode, teacher_capture, kd, steps, ...)")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.set_defaults(func=run_train)

    teacher = subparsers.add_parser("train-teacher", help="train (or retrain) the cached tinylm teacher")
    teacher.add_argument("--force", action="store_true", help="retrain even if a checkpoint is cached")
    teacher.set_defaults(func=run_train_teacher)


def run_capture(args: argparse.Namespace) -> int:
    _one_thread()
    from app.training.tinylm.capture import CaptureMeta, capture_records, write_capture
    teacher = _teachers().get()
    meta = CaptureMeta(teacher_id=teacher.id, vocabulary=task.VOCAB, k=args.top_k,
                       capture_temperature=args.temperature, examples=args.examples)
    tokens = task.sample(args.examples, args.seed)
    start = time.perf_counter()
    try:
        n = write_capture(args.out, meta, capture_records(teacher.model, tokens, task.PROMPT_LEN,
                                                           args.top_k, args.temperature))
    except OSError as err:
        print(f"brewslm capture: --out: cannot write {args.out}: {err.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {n} examples (top-{args.top_k} at T={args.temperature:g}, teacher {teacher.id}) "
          f"to {args.out} in {time.perf_counter() - start:.2f} s")
    return 0


def run_train(args: argparse.Namespace) -> int:
    _one_thread()
    from tqdm import tqdm

    from app.training.tinylm.kd_trainer import final_table, run_recipe
    from app.training.tinylm.recipe import RecipeError, load_recipe

    try:
        recipe = load_recipe(args.recipe)
        with tqdm(total=recipe.steps, desc=f"{recipe.training_mode}", unit="step",
                  disable=args.no_progress, file=sys.stderr) as bar:
            def on_step(rec: dict) -> None:
                bar.update(1)
                if rec["step"] % 10 == 0 or rec["step"] == recipe.steps:
                    bar.set_postfix(loss=f"{rec['loss']:.3f}", ce=f"{rec['ce']:.3f}", kl=f"{rec['kl']:.3f}")
            summary = run_recipe(recipe, _teachers(), on_step=on_step)
    except RecipeError as err:
        print(f"brewslm train: {args.recipe}: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"brewslm train: {args.recipe}: output: cannot write {err.filename}: {err.strerror}",
              file=sys.stderr)
        return 2
    print(final_table(summary))
    print(f"metrics: {recipe.output / 'metrics.jsonl'}; summary: {recipe.output / 'summary.json'}; "
          f"student: {recipe.output / 'student.pt'}")
    return 0


def run_train_teacher(args: argparse.Namespace) -> int:
    _one_thread()
    from app.training.tinylm import evaluation

    start = time.perf_counter()
    teacher = _teachers().get(retrain=args.force)
    m = evaluation.evaluate(teacher.model)
    print(f"teacher {teacher.id} at {teacher.path} ({time.perf_counter() - start:.1f} s): held-out "
          f"accuracy {m['accuracy']:.4f}, perplexity {m['perplexity']:.4f}, KL to truth {m['kl_to_truth']:.4f}")
    return 0

