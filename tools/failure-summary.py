#!/usr/bin/env python3
"""Name each failed test of a stestr run, with the end of its traceback.

    stestr last --subunit | python tools/failure-summary.py [LINES]

stestr prints a failure's details where the test ended, followed by its
whole captured log, so a long run's last lines (all that a CI page may
keep) show that something failed but not what. run-tests.sh pipes each
failed suite's last run through this to repeat, at the very end, which
tests failed and why.
"""

import sys

import subunit
import testtools

FAILED = ('fail', 'uxsuccess')


def failures(stream):
    """[(test id, its traceback)] of the failed tests in ``stream``."""
    found = []

    def on_test(test):
        if test['status'] in FAILED:
            detail = test['details'].get('traceback')
            text = detail.as_text() if detail is not None else ''
            found.append((test['id'], text))

    case = subunit.ByteStreamToStreamResult(stream, non_subunit_name='stdout')
    result = testtools.StreamToDict(on_test)
    result.startTestRun()
    try:
        case.run(result)
    finally:
        result.stopTestRun()
    return found


def main():
    tail = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    for test_id, text in failures(sys.stdin.buffer):
        print('FAILED: %s' % test_id)
        for line in text.rstrip().splitlines()[-tail:]:
            print('    %s' % line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
