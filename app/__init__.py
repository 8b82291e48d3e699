"""BrewSLM Learn: interactive lessons on knowledge distillation."""
