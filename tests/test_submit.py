"""sparklet-submit runs an application with Spark's submit options."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

APP = textwrap.dedent("""
    import sys
    from sparklet import SparkConf, SparkContext
    import helper_module  # shipped with --py-files
    conf = SparkConf()
    with SparkContext(conf=conf) as sc:
        total = sc.parallelize(range(10), 3).map(helper_module.double).sum()
        print("master=%s name=%s mem=%s custom=%s total=%d args=%s" % (
            sc.master, sc.appName, conf.get("spark.executor.memory"),
            conf.get("spark.custom.key"), total, sys.argv[1:]))
""")


def test_submit_passes_options_to_the_application(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    deps = tmp_path / "deps"
    deps.mkdir()
    (deps / "helper_module.py").write_text("def double(x):\n    return 2 * x\n")
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    (conf_dir / "spark-defaults.conf").write_text("spark.master local[1]\nspark.custom.key d\n")
    env = {**os.environ, "SPARK_CONF_DIR": str(conf_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "sparklet.cli", "--master", "local[3]", "--name", "Sub",
         "--executor-memory", "2g", "--conf", "spark.custom.key=fromcli",
         "--py-files", str(deps), str(tmp_path / "app.py"), "a", "--b"],
        capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert ("master=local[3] name=Sub mem=2g custom=fromcli total=90 args=['a', '--b']"
            in out.stdout)


def test_submit_rejects_bad_conf(tmp_path):
    (tmp_path / "app.py").write_text("print('ran')\n")
    out = subprocess.run([sys.executable, "-m", "sparklet.cli", "--conf", "novalue",
                          str(tmp_path / "app.py")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "KEY=VALUE" in out.stderr and "ran" not in out.stdout
