"""Widgets of the wizard's TUI, one per module."""
