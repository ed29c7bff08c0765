"""runner.py TEST_FILE RESULT_FILE — runs one e2e test module (unittest style).

Prints one line per test case ("ok   name (time)", "skip name: reason" or
"FAIL name: reason", the latter followed by the tails of the sendguard and
Postfix logs) and writes "passed failed skipped" to RESULT_FILE. A failing
setUpClass counts as one failed case.
SIGTERM (e.g. from timeout(1)) becomes SystemExit, so every process the bed
started is still stopped by PID. The sendguard binary comes from $SENDGUARD_BIN.
"""

import importlib.util
import os
import sys
import textwrap
import time
import traceback
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sgbed import bed, procs  # noqa: E402


class LineResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.passed = 0
        self.failed = 0
        self._failed_ids = set()
        self._started = time.monotonic()

    def startTest(self, test):
        super().startTest(test)
        self._started = time.monotonic()

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._report(_name(test), _reason(err, with_trace=False), _bed_of(test))

    def addError(self, test, err):
        super().addError(test, err)
        self._report(_name(test), _reason(err, with_trace=True), _bed_of(test))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:  # a failed subTest fails its test case once
            self._report(_name(subtest), _reason(err, with_trace=False), _bed_of(test))
            self._failed_ids.add(test.id())

    def addSuccess(self, test):
        if test.id() in self._failed_ids:
            return  # some subTest failed; already counted
        super().addSuccess(test)
        self.passed += 1
        print(f"ok   {_name(test)} ({time.monotonic() - self._started:.1f}s)", flush=True)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)  # counted in self.skipped (a list)
        print(f"skip {_name(test)}: {reason}", flush=True)

    def _report(self, name, reason, test_bed=None):
        self.failed += 1
        print(f"FAIL {name}: {reason}", flush=True)
        if test_bed is not None:
            print(textwrap.indent(test_bed.log_report(), "    "), flush=True)


def _bed_of(test):
    """The bed whose logs explain a failure: the test class's, or for a failed
    setUpClass (reported as an _ErrorHolder) the bed that was starting."""
    if isinstance(test, unittest.TestCase):
        return getattr(type(test), "bed", None)
    return bed.last_bed


def _name(test):
    return test.id()


def _reason(err, with_trace):
    exc_type, exc, tb = err
    text = f"{exc_type.__name__}: {exc}"
    if with_trace:
        frames = traceback.extract_tb(tb)[-3:]
        text += "\n" + "".join(traceback.format_list(frames))
    return text.rstrip()


def load(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return unittest.defaultTestLoader.loadTestsFromModule(module)


def main(test_file, result_file):
    procs.exit_on_sigterm()
    result = LineResult()
    try:
        load(test_file).run(result)
    except BaseException:  # import error, SIGTERM, Ctrl-C
        result._report(os.path.basename(test_file), _reason(sys.exc_info(), with_trace=True),
                       bed.last_bed)
    finally:
        procs.stop_all()
        with open(result_file, "w") as f:
            f.write(f"{result.passed} {result.failed} {len(result.skipped)}\n")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
