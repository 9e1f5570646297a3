"""Finding resources from the configuration: Spark's ResourceUtils for sparklet.

``spark.{component}.resource.{name}.amount`` asks for a resource, and
``spark.{component}.resource.{name}.discoveryScript`` names an executable that prints its
addresses as JSON. Every script runs when the SparkContext starts, so a missing,
non-executable or misbehaving script fails the context at once with Spark's message
rather than leaving executors that never come up.
"""

from __future__ import annotations

import errno
import json
import math
import os
import subprocess
from collections.abc import Mapping

from sparklet.errors import SparkException
from sparklet.resource.information import ResourceInformation

__all__ = ["resource_requests", "discover_resource", "driver_resources",
           "executor_resources", "task_resource_amounts", "executor_slots"]

_EXAMPLE = '{"name": "gpu", "addresses": ["0","1"]}'


def resource_requests(conf: Mapping[str, str], component: str) -> dict[str, dict[str, str]]:
    """``{name: {setting: value}}`` of the ``spark.{component}.resource.{name}.{setting}``
    entries of ``conf``, for resources whose ``amount`` is set.

    >>> resource_requests({"spark.driver.resource.gpu.amount": "2",
    ...                    "spark.driver.resource.gpu.discoveryScript": "/x.sh"}, "driver")
    {'gpu': {'amount': '2', 'discoveryScript': '/x.sh'}}
    """
    prefix = "spark.%s.resource." % component
    found: dict[str, dict[str, str]] = {}
    for key, value in conf.items():
        if key.startswith(prefix):
            name, _, setting = key[len(prefix):].rpartition(".")
            if name:
                found.setdefault(name, {})[setting] = str(value)
    return {name: settings for name, settings in sorted(found.items())
            if "amount" in settings}


def _whole_amount(name: str, component: str, text: str) -> int:
    try:
        amount = float(text)
    except ValueError:
        raise SparkException("spark.%s.resource.%s.amount must be a number, got %r"
                             % (component, name, text)) from None
    if amount != int(amount) or amount < 0:
        raise SparkException("spark.%s.resource.%s.amount must be a whole number, got %r"
                             % (component, name, text))
    return int(amount)


def _parse_json(output: str) -> ResourceInformation:
    try:
        data = json.loads(output)
        name, addresses = data["name"], data["addresses"]
        if not isinstance(name, str) or not isinstance(addresses, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise SparkException("Error parsing JSON into ResourceInformation:\n%s\nHere is a "
                             "correct example:\n%s." % (output, _EXAMPLE)) from None
    return ResourceInformation(name, [str(a) for a in addresses])


def discover_resource(name: str, script: str | None) -> ResourceInformation:
    """Run ``script`` and return the resource it reports, checked to be ``name``."""
    if not script:
        raise SparkException("User is expecting to use resource: %s, but didn't specify a "
                             "discovery script!" % name)
    if not os.path.isfile(script):
        raise SparkException("Resource script: %s to discover %s doesn't exist!"
                             % (script, name))
    if not os.access(script, os.X_OK):
        raise SparkException("Resource script: %s to discover %s is not executable "
                             "(Permission denied)" % (script, name))
    try:
        done = _run(script)
    except OSError as e:
        raise SparkException("Error running the resource discovery script %s: %s"
                             % (script, e)) from e
    if done.returncode != 0:
        raise SparkException("Process [%s] exited with code %d: %s"
                             % (script, done.returncode, (done.stdout + done.stderr).strip()))
    info = _parse_json(done.stdout.strip())
    if info.name != name:
        raise SparkException("Error running the resource discovery script %s: script "
                             "returned resource name %s and we were expecting %s."
                             % (script, info.name, name))
    return info


def _run(script: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([script], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, check=False)
    except OSError as e:
        if e.errno != errno.ENOEXEC:
            raise
    # No #! line: the JVM (like execvp) then runs the file with /bin/sh, and so do we.
    return subprocess.run(["/bin/sh", script], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, check=False)


def _check_enough(info: ResourceInformation, amount: int) -> None:
    if len(info.addresses) < amount:
        raise SparkException("Resource: %s, with addresses: %s is less than what the user "
                             "requested: %d)" % (info.name, ",".join(info.addresses), amount))


def _discover_component(conf: Mapping[str, str],
                        component: str) -> dict[str, tuple[int, ResourceInformation]]:
    found = {}
    for name, settings in resource_requests(conf, component).items():
        amount = _whole_amount(name, component, settings["amount"])
        if amount > 0:
            info = discover_resource(name, settings.get("discoveryScript"))
            _check_enough(info, amount)
            found[name] = (amount, info)
    return found


def driver_resources(conf: Mapping[str, str]) -> dict[str, ResourceInformation]:
    """The driver's resources (``sc.resources``), from ``spark.driver.resource.*``."""
    return {name: info for name, (_, info) in _discover_component(conf, "driver").items()}


def executor_resources(conf: Mapping[str, str]) -> dict[str, list[str]]:
    """The addresses each executor of ``local-cluster`` gets, by resource name.

    An executor's own ``discoveryScript`` reports its addresses; without one, as in Spark's
    standalone mode, its worker discovers ``spark.worker.resource.{name}`` and hands the
    executor the first ``spark.executor.resource.{name}.amount`` of them. (The executors of
    ``local-cluster`` share this machine, so every one of them finds the same addresses.)
    """
    workers = {name: info for name, (_, info) in _discover_component(conf, "worker").items()}
    found: dict[str, list[str]] = {}
    for name, settings in resource_requests(conf, "executor").items():
        amount = _whole_amount(name, "executor", settings["amount"])
        if amount <= 0:
            continue
        script = settings.get("discoveryScript")
        if script or name not in workers:
            info = discover_resource(name, script)
            _check_enough(info, amount)
            found[name] = info.addresses
        else:
            _check_enough(workers[name], amount)
            found[name] = workers[name].addresses[:amount]
    return found


def task_resource_amounts(conf: Mapping[str, str]) -> dict[str, float]:
    """``spark.task.resource.{name}.amount`` by name: a whole number of addresses, or a
    fraction <= 0.5 (that many tasks share one address: 0.25 is four per address)."""
    amounts = {}
    for name, settings in resource_requests(conf, "task").items():
        try:
            amount = float(settings["amount"])
        except ValueError:
            raise SparkException("spark.task.resource.%s.amount must be a number, got %r"
                                 % (name, settings["amount"])) from None
        if amount <= 0 or (amount > 0.5 and amount != int(amount)):
            raise SparkException("The resource amount %s must be either <= 0.5, or a whole "
                                 "number." % settings["amount"])
        amounts[name] = amount
    return amounts


def tasks_per_address(amount: float) -> int:
    """How many tasks share one address at a fractional ``amount`` (1 for whole ones)."""
    return 1 if amount >= 1 else int(math.floor(1 / amount + 1e-9))


def executor_slots(cores: int, addresses: Mapping[str, list[str]],
                   amounts: Mapping[str, float]) -> int:
    """Tasks an executor can run at once: its cores, or fewer if its resources run out
    first (Spark's limiting resource).

    >>> executor_slots(4, {"gpu": ["0", "1"]}, {"gpu": 1.0})
    2
    >>> executor_slots(4, {"gpu": ["0"]}, {"gpu": 0.5})
    2
    """
    slots = cores
    for name, amount in amounts.items():
        available = len(addresses.get(name, ()))
        if amount >= 1:
            slots = min(slots, int(available // amount))
        else:
            slots = min(slots, available * tasks_per_address(amount))
    return slots
