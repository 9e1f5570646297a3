"""Compares ``java_double_string`` / ``java_float_string`` with a real Java 17's toString.

Not a test (it needs a JDK): ``PYTHONPATH=src python tests/sql/java_float_check.py [SEED]``
compiles a tiny Java program, sends it ~320,000 doubles and floats (random bit patterns,
ratios, rounded decimals, whole numbers, subnormals, powers of two) and prints how many texts
differ. Run with the JDK the reference PySpark used (17): Java 19+ prints other digits.
"""

from __future__ import annotations

import random
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

from sparklet.sql.show import java_double_string, java_float_string

_JAVA = """
import java.io.*;
public class ToText {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    StringBuilder out = new StringBuilder();
    for (String line; (line = in.readLine()) != null; ) {
      String[] p = line.split(" ");
      long bits = Long.parseUnsignedLong(p[1]);
      out.append(p[0].equals("d") ? Double.toString(Double.longBitsToDouble(bits))
                                  : Float.toString(Float.intBitsToFloat((int) bits)));
      out.append('\\n');
    }
    System.out.print(out);
  }
}
"""


def _samples(rng: random.Random) -> list[tuple[str, int]]:
    def d(x: float) -> tuple[str, int]:
        return "d", struct.unpack("<Q", struct.pack("<d", x))[0]

    def f(x: float) -> tuple[str, int]:
        return "f", struct.unpack("<I", struct.pack("<f", x))[0]

    out = [("d", rng.getrandbits(64)) for _ in range(60000)]
    out += [d(rng.randint(1, 10**6) / rng.randint(1, 10**4)) for _ in range(30000)]
    out += [d(round(rng.uniform(-1e4, 1e4), rng.randint(0, 6))) for _ in range(30000)]
    out += [d(float(rng.getrandbits(rng.randint(1, 80)))) for _ in range(20000)]
    out += [d(rng.uniform(0, 1) * 10.0 ** rng.randint(-330, 308)) for _ in range(20000)]
    out += [("d", rng.getrandbits(52)) for _ in range(20000)]  # subnormals
    out += [d(2.0 ** rng.randint(-1074, 1023)) for _ in range(20000)]
    out += [("f", rng.getrandbits(32)) for _ in range(60000)]
    out += [f(rng.randint(1, 10**6) / rng.randint(1, 10**4)) for _ in range(30000)]
    out += [f(float(rng.getrandbits(rng.randint(1, 40)))) for _ in range(20000)]
    out += [("f", rng.getrandbits(23)) for _ in range(10000)]
    out += [f(2.0 ** rng.randint(-149, 127)) for _ in range(2000)]
    return out


def main(seed: int) -> int:
    samples = _samples(random.Random(seed))
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "ToText.java").write_text(_JAVA)
        subprocess.run(["javac", "ToText.java"], cwd=tmp, check=True)
        text = "".join(f"{kind} {bits}\n" for kind, bits in samples)
        java = subprocess.run(["java", "-cp", tmp, "ToText"], input=text, capture_output=True,
                              text=True, check=True).stdout.split("\n")  # fmt: skip
    differ = 0
    for (kind, bits), expected in zip(samples, java, strict=False):
        if kind == "d":
            ours = java_double_string(struct.unpack("<d", struct.pack("<Q", bits))[0])
        else:
            ours = java_float_string(struct.unpack("<f", struct.pack("<I", bits))[0])
        if ours != expected:
            differ += 1
            if differ <= 10:
                print(kind, bits, "java:", expected, "ours:", ours)
    print(f"{len(samples)} values, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1))
