"""Where agents come from: safe YAML, the lenient frontmatter reader, the Claude Code reader,
the other tools' formats, and file loading with collected diagnostics (parsing is pure; loading does IO)."""
