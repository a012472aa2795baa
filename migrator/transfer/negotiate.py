"""Which checksum a copy uses when [transfer] checksum is ``auto``.

XXH3 (128 bits) costs a side about a third of what CRC-32 does per GiB,
but needs the xxhash module, which a host's python3 may lack (Debian:
python3-xxhash). ``auto`` takes XXH3 when this process and every remote
end of the copy have it, CRC-32 otherwise, and says why at INFO. A
remote host is asked once (``SSHHost.checksums``, cached); an explicitly
configured checksum is never replaced: a copy whose end lacks it fails
naming the module.
"""
from oslo_log import log as logging

from migrator.transfer import agent

LOG = logging.getLogger(__name__)

AUTO = 'auto'
#: Computable everywhere (zlib): what ``auto`` falls back to.
FALLBACK = agent.AUTO_CHOICES[-1]


def choose(source, sink):
    """The first of ``agent.AUTO_CHOICES`` that this process and both
    endpoints can compute (an endpoint that hashes nothing on its own
    side, a local one, adds no condition)."""
    here = agent.supported_checksums()
    ends = [(endpoint, endpoint.checksums()) for endpoint in (source, sink)]
    for name in agent.AUTO_CHOICES:
        if name not in here:
            if name != FALLBACK:
                LOG.info('checksum auto: %s not used, this host lacks the '
                         'xxhash module (Debian: python3-xxhash; pip: '
                         'xxhash)', name)
            continue
        lacking = [str(endpoint) for endpoint, names in ends
                   if names is not None and name not in names]
        if not lacking:
            LOG.debug('checksum auto: %s for %s -> %s', name, source, sink)
            return name
        if name != FALLBACK:
            LOG.info('checksum auto: %s not used, the python of %s lacks '
                     'the xxhash module (Debian: python3-xxhash; pip: '
                     'xxhash)', name, ', '.join(lacking))
    return FALLBACK
