"""Render a live migration's progress, as the API reports it, for a
terminal: one redrawn line on a TTY, a line per update otherwise."""

_BAR_WIDTH = 30
_UNITS = ('B', 'KiB', 'MiB', 'GiB', 'TiB')


def human_bytes(value):
    if value is None:
        return '?'
    value = float(value)
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            return ('%d %s' % (value, unit) if unit == 'B'
                    else '%.1f %s' % (value, unit))
        value /= 1024


def human_seconds(value):
    if value is None:
        return '--'
    value = int(round(value))
    if value < 60:
        return '%ds' % value
    return '%dm%02ds' % divmod(value, 60)


def render(migration):
    """One line for a server-migration entry at microversion 2.106."""
    progress = migration.get('progress') or {}
    percent = progress.get('percent') or 0
    filled = int(_BAR_WIDTH * percent / 100)
    bar = '#' * filled + '.' * (_BAR_WIDTH - filled)
    total = migration.get('memory_total_bytes')
    processed = migration.get('memory_processed_bytes')
    disk_total = migration.get('disk_total_bytes')
    parts = ['[%s] %3d%%' % (bar, percent),
             '%s sent of %s RAM' % (human_bytes(processed),
                                    human_bytes(total))]
    if disk_total:
        parts.append('disk %s/%s' % (
            human_bytes(migration.get('disk_processed_bytes')),
            human_bytes(disk_total)))
    parts.append('%s/s' % human_bytes(progress.get('transfer_rate')))
    if progress.get('dirty_rate'):
        parts.append('dirtying %s/s' % human_bytes(progress['dirty_rate']))
    if progress.get('iteration'):
        parts.append('pass %d' % progress['iteration'])
    parts.append('ETA %s' % human_seconds(progress.get('eta_seconds')))
    parts.append(migration.get('status') or '')
    return '  '.join(parts)
