"""Eval harness: score extractions against hand-labelled gold, report and compare runs."""
