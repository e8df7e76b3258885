// Rules: see docs/architecture.md
