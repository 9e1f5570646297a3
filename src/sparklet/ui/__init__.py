"""sparklet's web UI (placeholder: the integrator owns this module)."""
