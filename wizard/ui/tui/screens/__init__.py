"""The wizard's screens, one per module: host → questions → review → progress → done."""
