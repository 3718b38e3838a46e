"""A person's rights under Law 91/2025: erasure by crypto-shredding (and, later, export)."""
