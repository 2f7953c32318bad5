"""ui/tui."""
