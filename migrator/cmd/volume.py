"""migrator-volume: owns the volume backends of one host."""
import sys

from oslo_config import cfg

from migrator.cmd import common

CONF = cfg.CONF


def main(argv=None):
    argv = argv or sys.argv
    common.parse_args(argv, 'migrator-volume: serves the volume backends '
                            'named in [DEFAULT] enabled_backends; listens '
                            'on the "volume" RPC topic as server '
                            '[DEFAULT] host.')
    common.require_service_settings()
    if not CONF.enabled_backends:
        common.fail('[DEFAULT] enabled_backends is not set: name at least '
                    'one backend section (volume_driver = file or '
                    'driver-assisted)')

    def build():
        from migrator.volume import service as volume_service
        return [volume_service.VolumeService(CONF.host)]

    common.run_service('migrator-volume', build)


if __name__ == '__main__':
    main()
