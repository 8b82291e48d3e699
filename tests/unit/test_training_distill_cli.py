"""`brewslm distill`: the table it prints and the self-contained report it writes."""
from __future__ import annotations

import re

import pytest

import app.settings
from app.cli import main


@pytest.fixture()
def settings(monkeypatch, test_settings):
    monkeypatch.setattr(app.settings, "get_settings", lambda: test_settings)
    return test_settings


def test_distill_prints_the_table_and_writes_a_report(settings, tmp_path, capsys):
    report = tmp_path / "out" / "report.html"
    assert main(["distill", "--steps", "200", "--student-hidden", "16", "--omit-class", "3", "--seed", "4",
                 "--device", "cpu", "--report", str(report)]) == 0
    out, err = capsys.readouterr()
    assert re.search(r"student\s+64-16-10", out)
    assert re.search(r"accuracy on the left-out digit 3\s+\d+\.\d%", out)
    assert "after the bias fix (+" in out
    assert f"report: {report}" in out
    assert "200/200" in err  # tqdm's bar reached the end
    html = report.read_text()
    assert "Plotly.newPlot" in html and "test accuracy" in html
    # Self-contained: Plotly is inlined, nothing is loaded from elsewhere.
    assert not re.search(r"<script[^>]+src=", html)


@pytest.mark.parametrize("args, message", [
    (["--alpha", "2"], "alpha: must lie in [0, 1]"),
    (["--student-hidden", "100"], "student_hidden"),
])
def test_distill_refuses_bad_settings(settings, capsys, args, message):
    assert main(["distill", *args]) == 2
    assert message in capsys.readouterr().err
