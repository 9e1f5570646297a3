"""The UI's state: :class:`AppStatusStore` and the providers the server reads stores from.

``AppStatusStore(conf, live=True)`` takes every listener event through ``on_event`` (the
bus thread in the live UI; a replay with ``live=False`` in the history server, where "now"
is the last event's time). Its read methods return the JSON-able bodies of the REST API
(Spark's shapes; None for an absent Option, which the HTTP layer leaves out):

========================================  =============================================
``application_info()``                    ApplicationInfo
``jobs(status=None)`` / ``job(id)``       [JobData] newest first / JobData or None
``job_dag(id)``                           ``{"jobId", "stages": [...]}`` or None
``stages(status, details, task_status,    [StageData] newest first
with_summaries, quantiles)``
``stage_attempts(id)``                    [StageData] of every attempt, or None
``stage_attempt(id, attempt)``            StageData with tasks, or None
``stage_attempt_ids(id)``                 [attempt ids]
``task_list(id, attempt, offset, length,  [TaskData], or None
sort_by, status)``
``task_summary(id, attempt, quantiles)``  TaskMetricDistributions; None (no such stage);
                                          False (no successful task yet)
``executors(include_removed=False)``      [ExecutorSummary] (the driver included)
``rdds()`` / ``rdd(id)``                  [RDDStorageInfo] / with partitions, or None
``environment()``                         ApplicationEnvironmentInfo
``version()``                             ``{"spark": version}``
``counters()``                            gauges and whole-application totals (/metrics)
``wait_for(predicate, timeout)``          tests: block until ``predicate(store)``
========================================  =============================================

Attributes: ``app_id``, ``app_name``, ``completed``, ``spark_user``, ``spark_version``,
``start_time``, ``end_time`` (epoch ms), ``streaming`` (the StreamingStore) and
``dashboard`` (the DashboardStore), both fed the same events.

Providers: :class:`SingleStore` (the live UI's one application) and :class:`MultiStore`
(stores by application id, for the history server), both with ``get(app_id)`` and
``list()``.
"""

from sparklet.ui.store.core import AppStatusStore
from sparklet.ui.store.provider import MultiStore, SingleStore, StoreProvider

__all__ = ["AppStatusStore", "StoreProvider", "SingleStore", "MultiStore"]
