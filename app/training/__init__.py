"""Live and offline distillation runs. Imports `app.kd`, never web code."""
