// POS: see docs/architecture.md
