// Evaluation: see docs/architecture.md
