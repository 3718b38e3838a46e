"""One declaration per case type; each module exposes `WORKFLOW`."""
