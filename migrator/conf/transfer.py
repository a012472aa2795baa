"""Options of data copies ([transfer]): PMEM namespaces and volumes.

Used by ``migrator.transfer.config`` to build the SSH host and the copy
arguments for the compute and volume services.
"""
from oslo_config import cfg

transfer_group = cfg.OptGroup(
    'transfer', title='Data copies',
    help='How PMEM namespaces and volumes are copied between hosts: the '
         'SSH connection (batch mode, host keys always checked), chunking, '
         'throttling and verification.')

transfer_opts = [
    cfg.StrOpt('ssh_user',
               help='User to log in as on the other host. Unset: ssh\'s '
                    'default, the name of the user the service runs as. '
                    'That user must be able to read and write the '
                    'namespaces and volume files, and have python3 and, for '
                    'device-dax, daxio (pmdk-tools).'),
    cfg.StrOpt('ssh_key_file',
               help='Private key for the SSH login (passed as ssh -i, with '
                    'IdentitiesOnly=yes). Unset: ssh\'s default keys of '
                    'the service user (~/.ssh/id_*). It must have no '
                    'passphrase: ssh runs in batch mode and never prompts.'),
    cfg.StrOpt('ssh_known_hosts_file',
               help='known_hosts file holding the other hosts\' keys; it is '
                    'the only one consulted. Unset: ssh\'s own '
                    '(~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts). A '
                    'host whose key is missing or differs is refused '
                    '(StrictHostKeyChecking=yes), never added.'),
    cfg.BoolOpt('ssh_strict_host_key_checking', default=True,
                help='Check each host\'s SSH key against the known_hosts '
                     'file (StrictHostKeyChecking=yes): a host whose key is '
                     'unknown or differs is refused and the copy fails. '
                     'WARNING: False turns the check off (keys are '
                     'neither checked nor recorded), so whoever can '
                     'redirect the connection receives or supplies the '
                     'migrated data. Only for throw-away test set-ups; '
                     'every copy made so logs a warning.'),
    cfg.PortOpt('ssh_port', default=22,
                help='Port of sshd on the other hosts.'),
    cfg.StrOpt('ssh_cipher', default='aes128-gcm@openssh.com',
               help='Cipher ssh uses for copies (ssh -o Ciphers=). '
                    'aes128-gcm@openssh.com is the fastest on CPUs with AES '
                    'instructions; empty leaves ssh\'s default '
                    '(chacha20-poly1305). Compression is always off.'),
    cfg.IntOpt('ssh_connect_timeout', default=10, min=1,
               help='Seconds ssh may take to connect before the copy '
                    'fails.'),
    cfg.StrOpt('remote_python', default='python3',
               help='Python interpreter on the other host that runs the '
                    'copy agent (a fixed program sent as python3 -c).'),
    cfg.IntOpt('chunk_size', default=4 * 1024 * 1024, min=64 * 1024,
               help='Bytes read and written at a time.'),
    cfg.IntOpt('rate_limit', default=0, min=0,
               help='Most bytes per second one copy may move (averaged '
                    'since it started, bursts of one chunk). 0: '
                    'unthrottled.'),
    cfg.BoolOpt('verify', default=True,
                help='Compare a checksum of what was read with what the '
                     'other end reports it wrote, computed in the same '
                     'stream (no second pass); a copy that differs fails '
                     'and its destination is cleaned.'),
    cfg.StrOpt('checksum', default='auto',
               choices=[('auto', 'xxh3_128 when this host and the other '
                                 'end both have the xxhash Python module, '
                                 'else crc32, chosen per copy: each other '
                                 'host is asked once (one short ssh, '
                                 'remembered for an hour) and a fallback '
                                 'is logged at INFO naming the host that '
                                 'lacks the module'),
                        ('xxh3_128', 'xxHash XXH3, 128 bits: about 3 times '
                                     'cheaper than CRC-32; needs the xxhash '
                                     'Python module on every host (Debian: '
                                     'python3-xxhash; pip: xxhash); a copy '
                                     'to or from a host without it fails, '
                                     'naming the module'),
                        ('sha256', 'SHA-256 (hashlib on both ends)'),
                        ('sha1', 'SHA-1'),
                        ('blake2b', 'BLAKE2b'),
                        ('crc32', 'zlib CRC-32: the cheapest in the '
                                  'standard library; detects accidental '
                                  'corruption only')],
               help='Checksum used to verify copies. Only auto adapts to '
                    'the hosts; any other value is used as configured, '
                    'and a copy whose end cannot compute it fails.'),
]


def register_opts(conf):
    conf.register_group(transfer_group)
    conf.register_opts(transfer_opts, group=transfer_group)


def list_opts():
    return {transfer_group: transfer_opts}
