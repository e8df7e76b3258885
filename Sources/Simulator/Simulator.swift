// Simulator: see docs/architecture.md
