"""migrator's data copies (PMEM namespaces, volumes): one module for all.

Endpoints are where bytes are read or written: ``LocalFile`` (file or
block device), ``DaxDevice`` (device-dax through daxio), and over SSH
``RemoteFile`` and ``RemoteDaxDevice`` on an ``SSHHost``. ``copy``
streams bytes between any two of them, verified, throttled, cancellable
and reporting ``CopyProgress``; ``zero`` clears an endpoint. Every
failure is a ``TransferError`` raised after the sink has been cleaned.
``ssh_host(name)`` and ``copy_options()`` read the [transfer] options.

This package knows no RPC, database or API: compute and volume services
call it with plain paths, hosts and callbacks.
"""
from migrator.transfer.config import copy_options
from migrator.transfer.config import ssh_host
from migrator.transfer.copier import copy
from migrator.transfer.copier import CopyProgress
from migrator.transfer.copier import CopyResult
from migrator.transfer.copier import DEFAULT_CHECKSUM
from migrator.transfer.copier import DEFAULT_CHUNK_SIZE
from migrator.transfer.copier import zero
from migrator.transfer.errors import ChecksumMismatch
from migrator.transfer.errors import CopyCancelled
from migrator.transfer.errors import CopyFailed
from migrator.transfer.errors import TransferError
from migrator.transfer.local import DaxDevice
from migrator.transfer.local import LocalFile
from migrator.transfer.ssh import RemoteDaxDevice
from migrator.transfer.ssh import RemoteFile
from migrator.transfer.ssh import SSHHost

__all__ = [
    'ChecksumMismatch', 'copy', 'copy_options', 'CopyCancelled', 'CopyFailed',
    'CopyProgress', 'CopyResult', 'DaxDevice', 'DEFAULT_CHECKSUM',
    'DEFAULT_CHUNK_SIZE', 'LocalFile', 'RemoteDaxDevice', 'RemoteFile',
    'ssh_host', 'SSHHost', 'TransferError', 'zero',
]
