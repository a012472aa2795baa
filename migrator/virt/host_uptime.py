"""The host's ``uptime(1)`` line, as Nova's os-hypervisors uptime answers
it: ``" 08:32:11 up 93 days, 18:25, 12 users,  load average: 0.20,
0.12, 0.14"``, built from /proc/uptime, the utmp login records and the load
averages (no process is started)."""
import os
import struct
import time

PROC_UPTIME = '/proc/uptime'
UTMP = '/var/run/utmp'
# struct utmp on Linux: ut_type is the first 32-bit int of 384-byte
# records; USER_PROCESS (7) is a logged-in user.
_UTMP_RECORD = 384
_USER_PROCESS = 7


def _plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


def _users(path=UTMP):
    try:
        with open(path, 'rb') as utmp:
            data = utmp.read()
    except OSError:
        return 0
    count = 0
    for start in range(0, len(data) - _UTMP_RECORD + 1, _UTMP_RECORD):
        (kind,) = struct.unpack_from('<i', data, start)
        if kind == _USER_PROCESS:
            count += 1
    return count


def format_uptime(seconds, users, loads, now):
    """The line for ``seconds`` of uptime, ``users`` logged in, the three
    ``loads`` and the local time ``now`` (a struct_time)."""
    minutes = int(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [time.strftime(' %H:%M:%S', now), ' up ']
    if days:
        parts.append(_plural(days, 'day') + ', ')
    if hours:
        parts.append('%2d:%02d, ' % (hours, minutes))
    else:
        parts.append('%d min, ' % minutes)
    parts.append('%2d user%s,  ' % (users, '' if users == 1 else 's'))
    parts.append('load average: %.2f, %.2f, %.2f' % tuple(loads))
    return ''.join(parts)


def uptime(proc_uptime=PROC_UPTIME, utmp=UTMP):
    """This host's uptime line now."""
    with open(proc_uptime) as source:
        seconds = float(source.read().split()[0])
    return format_uptime(seconds, _users(utmp), os.getloadavg(),
                         time.localtime())
