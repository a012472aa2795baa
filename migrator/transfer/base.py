"""What an endpoint is: a place bytes are read from or written to.

An endpoint opens a ``Reader`` (as a source) or a ``Writer`` (as a sink)
for a copy of a known length; ``migrator.transfer.copy`` drives them.
Endpoints know their ``size()``, can be zeroed, and files can be deleted.
"""
from migrator.transfer import errors


class Endpoint(object):
    #: 'file' (regular file or block device) or 'dax' (device-dax).
    kind = 'file'

    def size(self):
        """Bytes the endpoint holds."""
        raise NotImplementedError()

    def checksums(self):
        """The checksums ``auto`` may choose that this endpoint can
        compute on its own side (preferred first), or None when it
        computes none there: local endpoints, whose bytes this process
        hashes.
        """
        return None

    def open_reader(self, length, checksum):
        """A ``Reader`` of the first ``length`` bytes. ``checksum`` names
        the algorithm a source that hashes on its own side uses ('none'
        when verification is off).
        """
        raise NotImplementedError()

    def open_writer(self, length, checksum, sync=True):
        """A ``Writer`` of ``length`` bytes from the start; with ``sync``
        its ``finish()`` makes the data durable (fsync).
        """
        raise NotImplementedError()

    def zero(self, length=None):
        """Overwrite the first ``length`` bytes (None: all) with zeros."""
        raise NotImplementedError()

    def delete(self):
        """Remove a file endpoint; devices cannot be deleted."""
        raise errors.TransferError('%s is a device: it is zeroed, never '
                                   'deleted' % self)


class Reader(object):
    def readinto(self, view):
        """Fill the start of ``view``; returns the count, 0 at the end."""
        raise NotImplementedError()

    def close(self):
        """End a read that went to the end. Returns the checksum the
        source computed of what it read itself (a remote source), or None
        when the bytes handed out are all there is to check. Raises
        ``CopyFailed`` if the source reports a failure.
        """
        return None

    def abort(self):
        """Stop after a failure; never raises."""


class Writer(object):
    def write(self, view):
        """Write all of ``view``."""
        raise NotImplementedError()

    def finish(self):
        """Make what was written durable. Returns the checksum the sink
        computed of what it received and wrote (a remote sink), or None
        when it wrote exactly the buffers it was given (a local one).
        Raises ``CopyFailed`` on failure.
        """
        return None

    def abort(self):
        """Stop after a failure; never raises."""

    def discard(self):
        """After a failure: zero what may have been written, or delete
        the file if this writer created it. Raises on failure.
        """
        raise NotImplementedError()
