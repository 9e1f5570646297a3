"""Hypothesis test results, as ``pyspark.mllib.stat.test``."""

from __future__ import annotations

__all__ = ["ChiSqTestResult", "KolmogorovSmirnovTestResult"]


class TestResult:
    """What every hypothesis test reports: p-value, degrees of freedom, statistic, and the
    null hypothesis tested."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, pValue: float, degreesOfFreedom: int, statistic: float,
                 nullHypothesis: str) -> None:
        self._pValue = float(pValue)
        self._degreesOfFreedom = degreesOfFreedom
        self._statistic = float(statistic)
        self._nullHypothesis = nullHypothesis

    @property
    def pValue(self) -> float:
        """The probability of a statistic at least this extreme under the null hypothesis."""
        return self._pValue

    @property
    def degreesOfFreedom(self) -> int:
        """The degrees of freedom of the test."""
        return self._degreesOfFreedom

    @property
    def statistic(self) -> float:
        """The test statistic."""
        return self._statistic

    @property
    def nullHypothesis(self) -> str:
        """The null hypothesis of the test."""
        return self._nullHypothesis

    def _explain(self) -> str:
        p = self._pValue
        if p <= 0.01:
            strength = "Very strong"
        elif p <= 0.05:
            strength = "Strong"
        elif p <= 0.1:
            strength = "Low"
        else:
            strength = "No"
        return "%s presumption against null hypothesis: %s." % (strength, self._nullHypothesis)

    def __str__(self) -> str:
        # the text Spark's TestResult.toString gives (Java's double formatting aside)
        return ("degrees of freedom = %s \nstatistic = %r \npValue = %r \n%s"
                % (self._degreesOfFreedom, self._statistic, self._pValue, self._explain()))


class ChiSqTestResult(TestResult):
    """The result of a Pearson chi-squared test."""

    def __init__(self, pValue: float, degreesOfFreedom: int, statistic: float, method: str,
                 nullHypothesis: str) -> None:
        super().__init__(pValue, degreesOfFreedom, statistic, nullHypothesis)
        self._method = method

    @property
    def method(self) -> str:
        """The name of the test method (``"pearson"``)."""
        return self._method

    def __str__(self) -> str:
        return "Chi squared test summary:\nmethod: %s\n%s" % (self._method, super().__str__())

    def __repr__(self) -> str:
        return ("ChiSqTestResult(statistic=%r, degreesOfFreedom=%r, pValue=%r)"
                % (self.statistic, self.degreesOfFreedom, self.pValue))


class KolmogorovSmirnovTestResult(TestResult):
    """The result of a Kolmogorov-Smirnov test."""

    def __str__(self) -> str:
        return "Kolmogorov-Smirnov test summary:\n%s" % super().__str__()
