"""Release catalog (releases.yaml) and what the wizard renders from it: globals and init-runonce."""
