"""Nova's live-migration arithmetic: data size, downtime steps, timeout,
and the parameters a driver starts a migration with.

Pure functions of the [live_migration] options, shared by the compute
manager (to start the migration) and the monitor (to steer it).
"""
MIN_GB = 2  # Nova counts memory and each disk as at least 2 GiB.


def data_gb(memory_mb, block_disk_gbs=()):
    """GiB to transfer as Nova counts it: memory (at least 2 GiB) plus each
    block-migrated disk (at least 2 GiB each). A float, as in Nova.
    """
    total = max(memory_mb / 1024.0, MIN_GB)
    for size_gb in block_disk_gbs:
        total += max(float(size_gb or 0), MIN_GB)
    return total


def guest_data_gb(guest, block_migration):
    """``data_gb`` of a guest dict (driver.py's shape)."""
    disks = ()
    if block_migration:
        disks = [guest.get(key) or 0 for key in ('root_gb', 'ephemeral_gb')
                 if guest.get(key)]
    return data_gb(guest.get('memory_mb') or 0, disks)


def downtime_steps(lm_conf, data_gb):
    """Yield (seconds after start, max downtime ms), Nova's linear ramp."""
    downtime = lm_conf.downtime
    steps = lm_conf.downtime_steps
    delay = int(lm_conf.downtime_delay * data_gb)
    base = downtime / steps
    offset = (downtime - base) / steps
    for i in range(steps + 1):
        yield (int(delay * i), int(base + offset * i))


def completion_timeout(lm_conf, data_gb):
    """Seconds before timeout_action; 0 means never."""
    return lm_conf.completion_timeout * data_gb


def permits_post_copy(lm_conf):
    return bool(lm_conf.permit_post_copy)


def permits_auto_converge(lm_conf):
    # Nova: auto-converge only when post-copy is not enabled.
    return bool(lm_conf.permit_auto_converge) and not lm_conf.permit_post_copy


def start_params(lm_conf, block_migration, data_gb):
    """``params`` for ComputeDriver.start_live_migration."""
    first_step = next(downtime_steps(lm_conf, data_gb))
    return {
        'block_migration': bool(block_migration),
        'bandwidth_mib': lm_conf.bandwidth,
        'permit_post_copy': permits_post_copy(lm_conf),
        'permit_auto_converge': permits_auto_converge(lm_conf),
        'max_downtime_ms': first_step[1],
    }
