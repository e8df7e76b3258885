// Pipeline: see docs/architecture.md
