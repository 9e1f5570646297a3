"""Fault tolerance: metadata and data checkpoints, recovery through ``getOrCreate``, and the
receiver write-ahead log (see docs/fault-tolerance.md)."""
