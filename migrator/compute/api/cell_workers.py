"""Threads that ask cells, kept between requests.

A cell is asked in a thread of its own so that a cell that does not
answer costs the request at most the cross-cell timeout. Starting a
thread for every read made the request wait for the new thread to be
scheduled before its query was even sent (a third of the API's time
under load, profiled); these workers are started once and wait for the
next call. A call that never returns keeps its worker, and a new one is
started for the next call, as a fresh thread was before. Daemon threads:
a hung cell never holds the process at exit.
"""
import queue
import threading


class CellWorkers:

    def __init__(self):
        self._calls = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0
        self._started = 0

    def submit(self, call):
        """Run ``call()`` in a worker; returns at once."""
        with self._lock:
            if self._idle:
                self._idle -= 1
                start = False
            else:
                self._started += 1
                start = True
        if start:
            threading.Thread(target=self._work, daemon=True,
                             name='cell-worker-%d' % self._started).start()
        self._calls.put(call)

    def _work(self):
        while True:
            call = self._calls.get()
            try:
                call()
            finally:
                with self._lock:
                    self._idle += 1


WORKERS = CellWorkers()
