"""A self-contained HTML report of one digits run: its curves and final numbers (Plotly inlined)."""
from __future__ import annotations

import html
from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

LOSS_PARTS = (("loss", "total loss", "solid"), ("weighted_ce", "α·CE", "dash"),
              ("weighted_kd", "(1−α)·T²·KL", "dot"))


def curves_figure(steps: list[dict], title: str) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss (log scale)", "Test accuracy"))
    x = [r["step"] for r in steps]
    for key, name, dash in LOSS_PARTS:
        y = [r[key] if r[key] and r[key] > 0 else None for r in steps]
        fig.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines", line={"dash": dash}), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=[r["test_acc"] for r in steps], name="test accuracy", mode="lines"),
                  row=1, col=2)
    if steps and steps[0].get("omitted_class_acc") is not None:
        fig.add_trace(go.Scatter(x=x, y=[r["omitted_class_acc"] for r in steps], name="left-out digit",
                                 mode="lines", line={"dash": "dot"}), row=1, col=2)
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_xaxes(title_text="step")
    fig.update_layout(title=title, height=480)
    return fig


def write_report(path: Path, steps: list[dict], final: dict, config: dict, title: str,
                 table_rows: list[tuple[str, str]]) -> Path:
    """Write the report to `path` (parents created); it needs no network to open."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    chart = curves_figure(steps, title).to_html(full_html=False, include_plotlyjs=True)
    rows = "".join(f"<tr><th scope=row>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in table_rows)
    cfg = "".join(f"<li><code>{html.escape(k)}</code> = {html.escape(repr(v))}</li>" for k, v in config.items())
    path.write_text(f"""<!doctype html><html lang="en"><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}}table{{border-collapse:collapse}}
th,td{{text-align:left;padding:.25rem .8rem;border-bottom:1px solid #ddd}}</style>
<h1>{html.escape(title)}</h1>{chart}<h2>Final numbers</h2><table>{rows}</table>
<h2>Config</h2><ul>{cfg}</ul></html>""", encoding="utf-8")
    return path
