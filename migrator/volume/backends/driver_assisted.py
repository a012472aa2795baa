"""A driver-assisted backend: a simulated storage array that moves a
volume between its own pools itself and says nothing of how far it got
(like the Cinder drivers whose arrays migrate volumes internally).

The array keeps its volumes as files (as the file backend does); a move
between two of its pools takes ``size / array_move_rate_mib`` seconds of
array time, then the volume is in the new pool. The volume service never
reads or writes the data of such a move.
"""
import os

from migrator import exception
from migrator.volume.backends import file as file_backend

MiB = 1024 ** 2


class DriverAssistedBackend(file_backend.FileBackend):
    driver_assisted = True
    driver_name = 'driver-assisted'

    def __init__(self, conf, host, section, opts):
        super().__init__(conf, host, section, opts)
        self.move_rate = opts.array_move_rate_mib * MiB

    def can_move_itself(self, dest_backend):
        return dest_backend is self

    def move(self, name, size_gb, src_pool, dest_pool, new_name, cancel):
        """Move a volume to another pool of this array; returns when it
        is there. ``cancel`` (a threading.Event) stops the move before the
        switch, leaving the volume where it was."""
        seconds = size_gb * file_backend.GiB / float(self.move_rate)
        if cancel.wait(seconds):
            raise exception.VolumeMigrationFailed(
                reason='the array move was cancelled')
        dest = self.path(new_name, dest_pool)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        # On the array, a pool move is a relink: no data crosses the
        # volume service.
        os.rename(self.path(name, src_pool), dest)
        return dest
