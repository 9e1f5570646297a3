"""Custom resources (GPUs, FPGAs, ...): what the driver, executors and tasks were given.

As in Spark, a resource is a name and a list of addresses, found by a discovery script
(``spark.{driver,executor,worker}.resource.{name}.discoveryScript``) that prints
``{"name": ..., "addresses": [...]}``. ``sc.resources`` holds the driver's; each task gets
``spark.task.resource.{name}.amount`` of its executor's addresses
(``TaskContext.get().resources()``).
"""

from sparklet.resource.information import ResourceInformation

__all__ = ["ResourceInformation"]
