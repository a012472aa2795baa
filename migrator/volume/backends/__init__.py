"""Volume backends: where a volume service keeps volume data.

``load(conf, host, section)`` builds the backend a config section
describes (``volume_driver``: ``file`` or ``driver-assisted``).
"""
from migrator import exception


def load(conf, host, section):
    from oslo_config import cfg

    from migrator.conf import volume as volume_conf
    opts = volume_conf.register_backend_opts(conf, section)
    try:
        driver = opts.volume_driver
    except (cfg.Error, ValueError) as exc:
        detail = str(exc).splitlines()[0]
        if 'is not valid: ' in detail:
            detail = detail.split('is not valid: ', 1)[1]
        raise exception.ConfigurationError(
            reason='[%s] volume_driver: %s' % (section, detail))
    if driver == 'file':
        from migrator.volume.backends import file as file_backend
        return file_backend.FileBackend(conf, host, section, opts)
    if driver == 'driver-assisted':
        from migrator.volume.backends import driver_assisted
        return driver_assisted.DriverAssistedBackend(conf, host, section,
                                                     opts)
    raise exception.ConfigurationError(
        reason='[%s] volume_driver %r is unknown: file or driver-assisted'
        % (section, opts.volume_driver))
