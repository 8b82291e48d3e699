"""The digits experiment: scikit-learn digits, an MLP teacher, a student distilled live (lesson 4.3)."""
