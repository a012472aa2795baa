"""The [transfer] options turned into copy arguments.

    host = transfer.ssh_host('cmp2')          # an SSHHost from [transfer]
    transfer.copy(src, transfer.RemoteFile(host, path),
                  **transfer.copy_options(), on_progress=...)
"""
from oslo_log import log as logging

from migrator import conf as migrator_conf
from migrator.transfer import ssh

LOG = logging.getLogger(__name__)


def ssh_host(hostname, conf=None):
    """An ``SSHHost`` for ``hostname`` with the configured user, key,
    known_hosts file (host keys checked unless
    ssh_strict_host_key_checking is off, which is logged), port, cipher
    and timeouts.
    """
    group = (conf or migrator_conf.CONF).transfer
    if not group.ssh_strict_host_key_checking:
        LOG.warning('SSH host key of %s NOT checked ([transfer] '
                    'ssh_strict_host_key_checking = False): the copy may go '
                    'to an impostor', hostname)
    return ssh.SSHHost(hostname, port=group.ssh_port, user=group.ssh_user,
                       key_file=group.ssh_key_file,
                       known_hosts_file=group.ssh_known_hosts_file,
                       check_host_key=group.ssh_strict_host_key_checking,
                       cipher=group.ssh_cipher or None,
                       connect_timeout=group.ssh_connect_timeout,
                       python=group.remote_python)


def copy_options(conf=None):
    """``chunk_size``, ``rate_limit``, ``verify`` and ``checksum`` for
    ``transfer.copy``, from the configuration.
    """
    group = (conf or migrator_conf.CONF).transfer
    return {'chunk_size': group.chunk_size,
            'rate_limit': group.rate_limit or None,
            'verify': group.verify, 'checksum': group.checksum}
