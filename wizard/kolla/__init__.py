"""kolla."""
