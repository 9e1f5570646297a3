"""The Kinesis receiver (``sparklet.streaming.kinesis``): leases, checkpoints, reading."""
