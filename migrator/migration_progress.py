"""What a volume service or a compute host tells about the volume copies
it runs (seed 002): a percent that never goes back, or that the backend
moves the volume itself. Shared by volume and compute, so it lives below
both."""
import threading

#: The answer for a migration the backend does itself (seed 002 leaves
#: the string to be chosen; this is migrator's, documented in the
#: block-storage api-ref).
DRIVER_ASSISTED = 'driver-assisted'


class ProgressBoard:
    """{volume uuid: percent or DRIVER_ASSISTED} of the running
    migrations, safe across threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}

    def start(self, volume_id, driver_assisted=False):
        with self._lock:
            self._entries[volume_id] = (DRIVER_ASSISTED if driver_assisted
                                        else 0)

    def update(self, volume_id, percent):
        """Record ``percent`` unless an equal or higher one is known."""
        with self._lock:
            known = self._entries.get(volume_id)
            if known is None or known == DRIVER_ASSISTED:
                return
            self._entries[volume_id] = max(known, int(percent))

    def finish(self, volume_id):
        with self._lock:
            self._entries.pop(volume_id, None)

    def get(self, volume_id):
        """The answer to get_migration_progress: '42', 'driver-assisted'
        or None."""
        with self._lock:
            known = self._entries.get(volume_id)
        if known is None:
            return None
        return known if known == DRIVER_ASSISTED else str(known)
