"""`brewslm distill`: one digits run headless, the same trainer the lab streams, with a progress bar."""
from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from tqdm import tqdm

from app.device import resolve_device
from app.training.digits.config import DigitsRunConfig
from app.training.digits.experiment import DigitsExperiment
from app.training.digits.report import write_report


def add_distill(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("distill", help="train a digits student from the cached teacher, headless",
                       description="Distil the digits teacher (64-256-256-10) into a 64-H-10 student with "
                                   "kd_loss, print the final table and write an HTML report of the curves.")
    d = DigitsRunConfig()
    p.add_argument("--alpha", type=float, default=d.alpha, help="weight of the hard-label CE (default %(default)s)")
    p.add_argument("--temperature", "-T", type=float, default=d.temperature, help="KD temperature (default %(default)s)")
    p.add_argument("--student-hidden", type=int, default=d.student_hidden, help="student width, 8..64 (default %(default)s)")
    p.add_argument("--steps", type=int, default=d.steps, help="training steps (default %(default)s)")
    p.add_argument("--seed", type=int, default=d.seed, help="seed for weights and batch order (default %(default)s)")
    p.add_argument("--omit-class", type=int, default=None, help="leave this digit out of the student's data")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--report", type=Path, default=None,
                   help="HTML report path (default: var/reports/distill-<settings>.html under the cache's parent)")
    p.set_defaults(func=run_distill)


def _pct(v) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def final_table(final: dict) -> list[tuple[str, str]]:
    rows = [("student", final["student"]), ("device", final["device"]),
            ("time", f"{final['elapsed_s']:.2f} s ({final['steps_per_s']:.0f} steps/s)"),
            ("test accuracy", _pct(final["test_acc"])), ("teacher test accuracy", _pct(final["teacher_test_acc"])),
            ("quality kept (student ÷ teacher)", _pct(final["quality_kept"]))]
    if final["omitted_class"] is not None:
        c, fix = final["omitted_class"], final["bias_fix"]
        rows += [(f"accuracy on the left-out digit {c}", _pct(final["omitted_class_acc"])),
                 (f"… after the bias fix (+{fix['bias']:.2f} on class {c})", _pct(fix["omitted_class_acc"])),
                 ("test accuracy after the bias fix", _pct(fix["test_acc"]))]
    rows.append(("per-digit test accuracy", "  ".join(f"{i}:{100 * a:.0f}%" for i, a in enumerate(final["per_class_test_acc"]))))
    return rows


def run_distill(args: argparse.Namespace) -> int:
    from app.settings import get_settings

    try:
        config = DigitsRunConfig(alpha=args.alpha, temperature=args.temperature, steps=args.steps, seed=args.seed,
                                 omit_class=args.omit_class, student_hidden=args.student_hidden)
        device = resolve_device(args.device)
    except ValueError as exc:
        print(f"brewslm distill: {exc}", file=sys.stderr)
        return 2
    settings = get_settings()
    experiment = DigitsExperiment(settings.cache_dir)
    steps, final = [], None
    print(f"teacher: {settings.cache_dir} (trained on first use, a few seconds)", file=sys.stderr)
    with tqdm(total=config.steps, unit="step", desc="distilling", file=sys.stderr) as bar:
        for record in experiment.run(config.as_dict(), device, threading.Event()):
            if record["type"] == "done":
                final = record
                break
            steps.append(record)
            bar.update(record["step"] - bar.n)
            bar.set_postfix(loss=f"{record['loss']:.3f}", test_acc=f"{record['test_acc']:.3f}")
    rows = final_table(final)
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    omit = "" if config.omit_class is None else f"-omit{config.omit_class}"
    name = f"distill-a{config.alpha:g}-T{config.temperature:g}-h{config.student_hidden}-s{config.seed}{omit}.html"
    path = args.report or settings.cache_dir.parent / "reports" / name
    title = f"Distilling digits: alpha {config.alpha:g}, T {config.temperature:g}, {final['student']}, seed {config.seed}"
    print(f"report: {write_report(path, steps, final, config.as_dict(), title, rows)}")
    return 0
