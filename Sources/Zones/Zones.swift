// Zones: see docs/architecture.md
