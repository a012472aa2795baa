"""A peer service's view of migrator: ask a volume service, over RPC, how
far a volume's migration got.

Another OpenStack-style Python service that shares migrator's message
bus (the same ``[DEFAULT] transport_url`` and ``control_exchange``)
can call migrator's services with the clients in ``migrator.rpcapi``
instead of going through the REST API. This one asks the volume service
host ``SERVICE_HOST`` (its ``[DEFAULT] host``, e.g. ``volume1`` for the
backends ``volume1@file1`` and ``volume1@file2``) for the progress of
``VOLUME_ID``'s migration and prints it: a percent,
``driver-assisted``, or ``not migrating`` when that service is not
moving it (any more). It exits 1 if the service does not answer within
``--timeout`` seconds.

    python doc/examples/peer_migration_progress.py \
        --config-file /etc/migrator/migrator.conf volume1 VOLUME_ID

The integration test ``test_volume_services`` runs it against RabbitMQ.
"""
import sys

from oslo_config import cfg
import oslo_messaging as messaging

import migrator.conf  # noqa: F401 - registers migrator's options
from migrator import context
from migrator import objects
from migrator import rpc
from migrator.rpcapi import volume as volume_rpcapi

CONF = cfg.CONF
CLI_OPTS = [
    cfg.StrOpt('service_host', positional=True, required=True,
               help='Host of the volume service moving the volume.'),
    cfg.StrOpt('volume_id', positional=True, required=True,
               help='The id of the volume whose migration to ask about.'),
    cfg.IntOpt('timeout', default=10, min=1,
               help='Seconds to wait for the answer.'),
]


def main(argv):
    CONF.register_cli_opts(CLI_OPTS)
    CONF(argv[1:], project='migrator')
    objects.register_all()
    rpc.init(CONF)
    try:
        progress = volume_rpcapi.VolumeAPI().get_migration_progress(
            context.get_admin_context(), CONF.service_host, CONF.volume_id,
            CONF.timeout)
    except messaging.MessagingTimeout:
        print('%s did not answer within %d s' % (CONF.service_host,
                                                 CONF.timeout),
              file=sys.stderr)
        return 1
    finally:
        rpc.cleanup()
    print(progress if progress is not None else 'not migrating')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
