"""Log handlers that never raise into the code that logs.

Python's WatchedFileHandler (oslo.log's handler for a log file) reopens
its file when the file was moved or removed; when it cannot (the
directory is gone, the disk is full) the error escapes from that and
every later log call. Then an API request that logs answers 500, and a
service's stop dies half-way, so SIGTERM no longer stops the process.
Here a handler that cannot write reports it through logging's own
``handleError`` (a traceback on stderr) and the caller goes on; the file
is opened again by the first record after its directory is back.
"""
import logging


def never_raise(logger=None):
    """Make each handler of ``logger`` (default: the root logger) report
    its own failures instead of raising them. Safe to call again."""
    for handler in (logger or logging.getLogger()).handlers:
        if getattr(handler, '_never_raises', False):
            continue
        handler.emit = _reporting(handler, handler.emit)
        handler._never_raises = True


def _reporting(handler, emit):
    def emit_or_report(record):
        try:
            emit(record)
        except Exception:
            handler.handleError(record)
    return emit_or_report
