#!/usr/bin/env python3
"""The schemathesis CLI (``st``), with one harness guard: on CPython
3.11.7 and earlier, hypothesis describing a lambda may ``ast.parse`` a
large schemathesis module and hit CPython's "AST constructor recursion
depth mismatch" SystemError (a CPython bug, not the API under test); the
description then falls back to a placeholder instead of failing the
operation. Arguments are those of ``st``."""
import sys

from hypothesis.internal import lambda_sources

_describe = lambda_sources._lambda_description


def _guarded(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return 'lambda: <source not available>'


lambda_sources._lambda_description = _guarded

from schemathesis.cli import schemathesis  # noqa: E402

if __name__ == '__main__':
    sys.argv[0] = 'st'
    sys.exit(schemathesis())
