"""The errors a copy raises. Each says what failed; by the time one
reaches the caller the sink has been cleaned (zeroed or deleted) unless
``sink_cleaned`` is False, which the message then says too.
"""


class TransferError(Exception):
    """Base of every transfer error."""

    #: False when cleaning the sink failed as well (the message says why).
    sink_cleaned = True

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class CopyFailed(TransferError):
    """Reading, writing, or the SSH connection failed."""


class ChecksumMismatch(TransferError):
    """What the sink reports it wrote is not what was read."""

    def __init__(self, message, expected=None, actual=None):
        super().__init__(message)
        self.expected = expected
        self.actual = actual


class CopyCancelled(TransferError):
    """The caller's cancel event was set."""
