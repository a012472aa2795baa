"""Which cell each server lives in, remembered by the API process.

A server's instance mapping gets its cell once, when the server is
scheduled, and keeps it (servers never move between cells), and its
project never changes. So once read, the (cell, project) of a server is
kept, and a request that names the server reads it in its cell without a
transaction on the API database first. A server still being scheduled
(no cell yet) is not kept; a deleted one is forgotten when its cell no
longer has it. Least recently used entries go first past ``size``.
"""
import collections
import threading

SIZE = 10000


class InstanceCells:

    def __init__(self, size=SIZE):
        self._size = size
        self._lock = threading.Lock()
        self._cells = collections.OrderedDict()

    def get(self, uuid):
        """(cell mapping, project id) of server ``uuid``, or None."""
        with self._lock:
            found = self._cells.get(uuid)
            if found is not None:
                self._cells.move_to_end(uuid)
            return found

    def remember(self, uuid, cell, project_id):
        with self._lock:
            self._cells[uuid] = (cell, project_id)
            self._cells.move_to_end(uuid)
            while len(self._cells) > self._size:
                self._cells.popitem(last=False)

    def forget(self, uuid):
        with self._lock:
            self._cells.pop(uuid, None)

    def clear(self):
        with self._lock:
            self._cells.clear()


# One per process: every compute API object of the process shares it.
CELLS = InstanceCells()
