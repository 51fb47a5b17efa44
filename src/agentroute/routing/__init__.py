"""Scoring and deciding: agent profiles, the profile and linear indexes, weight layouts, the pick
rule, the Router (single and batch), mentions, explanations and saved routers."""
