"""Evidence weights measured on history: events joined to the reference-class episodes (docs/weights.md)."""
