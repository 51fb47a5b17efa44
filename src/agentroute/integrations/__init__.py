"""Glue for the tools that keep agent folders (Claude Code hooks)."""
