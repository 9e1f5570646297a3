"""Scheduling: DAGScheduler (stages, retries), TaskScheduler (tasks to executor slots)."""
