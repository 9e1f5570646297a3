"""Stage binaries and task launching: what the per-stage fast paths must not change.

``dumps_closure`` caches what cannot change between stages (code objects, which classes and
functions pickle by reference); the values a closure refers to must still be taken afresh
every time. ``TaskScheduler.submit`` launches what fits the free slots itself; the rest waits
for the dispatcher, exactly as before.
"""

import pickle
import sys
import threading
import types

from sparklet.scheduler.task import Task, TaskResult
from sparklet.scheduler.taskscheduler import TaskScheduler, TaskSet
from sparklet.serializers import dumps_closure


def make_counter(start):
    box = [start]

    def read():
        return box[0]

    return read, box


def test_closure_values_are_pickled_afresh_every_time():
    read, box = make_counter(1)
    first = pickle.loads(dumps_closure(read))
    box[0] = 2
    second = pickle.loads(dumps_closure(read))
    assert (first(), second()) == (1, 2)


def test_rebinding_a_global_between_stages_is_seen():
    module_globals = {"factor": 3}
    code = compile("def scale(x):\n    return x * factor\n", __file__, "exec")
    exec(code, module_globals)
    scale = module_globals["scale"]
    assert pickle.loads(dumps_closure(scale))(2) == 6
    module_globals["factor"] = 10
    assert pickle.loads(dumps_closure(scale))(2) == 20


def test_code_keeps_its_file_and_line_for_tracebacks():
    def fails(x):
        raise ValueError(x)

    clone = pickle.loads(dumps_closure(fails))
    assert clone.__code__.co_filename == __file__
    assert clone.__code__.co_firstlineno == fails.__code__.co_firstlineno
    clone2 = pickle.loads(dumps_closure(fails))  # second time from the cache
    assert clone2.__code__.co_filename == __file__
    assert clone2.__code__ is not clone.__code__  # every load gets its own copy


def test_a_rebound_module_attribute_is_looked_up_again():
    module = types.ModuleType("sparklet_test_rebound")
    exec("def f(x):\n    return x + 1\n", module.__dict__)
    sys.modules[module.__name__] = module
    try:
        old = module.f
        assert b"sparklet_test_rebound" in dumps_closure(old)  # by reference, now cached
        exec("def f(x):\n    return x + 2\n", module.__dict__)  # the name means another f
        clone = pickle.loads(dumps_closure(old))  # the old one can only go by value
        assert clone(1) == 2
        assert pickle.loads(dumps_closure(module.f))(1) == 3
    finally:
        del sys.modules[module.__name__]


class RecordingBackend:
    def __init__(self, expected):
        self.launched = []
        self.all_launched = threading.Event()
        self.expected = expected

    def start(self, scheduler):
        pass

    def launch(self, executor_id, task, binary_key, binary):
        self.launched.append((task.task_id, executor_id, threading.current_thread().name))
        if len(self.launched) == self.expected:
            self.all_launched.set()


def make_task(task_id):
    return Task(task_id, 0, 0, task_id, 0, "result", "stage-0-0", None)


def test_tasks_that_fit_launch_from_the_submitting_thread_the_rest_later():
    scheduler = TaskScheduler(locality_wait=0)
    backend = RecordingBackend(expected=3)
    scheduler.start(backend)
    try:
        scheduler.executor_added("0", 1)
        scheduler.executor_added("1", 1)
        events = []
        taskset = TaskSet(0, "stage-0-0", b"", lambda *e: events.append(e))
        scheduler.submit(taskset, [make_task(i) for i in range(3)])
        me = threading.current_thread().name
        assert sorted(backend.launched) == [(0, "0", me), (1, "1", me)]
        # The third waits for a slot; when one frees, the dispatcher launches it there.
        scheduler.status_update("1", TaskResult(1, "success", executor_id="1"))
        assert backend.all_launched.wait(60)
        assert backend.launched[2] == (2, "1", "sparklet-task-dispatcher")
        assert [e[0] for e in events] == ["success"]
    finally:
        scheduler.stop()
