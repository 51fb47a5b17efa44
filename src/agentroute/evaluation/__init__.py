"""Measuring a router: labelled data, accuracy metrics and threshold tuning, leave-one-out,
reports and plots, and latency benchmarks."""
