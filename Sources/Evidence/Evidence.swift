// Evidence: see docs/architecture.md
