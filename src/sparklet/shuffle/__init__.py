"""Shuffle: map-side bucketing (with combine and spill) and reduce-side fetch and merge."""
