"""An in-process stand-in for libvirt-python, for the driver's unit tests.

It models a few libvirtd "hosts" (``add_host``), each reachable by URI with
``open()``, holding domains. Tests script what a domain's ``jobStats()``
answers and how its ``migrateToURI3`` ends, and read back every call made
with the connection it came through. Like the real one in the recipe's
pitfall, a connection with ``migrateToURI3`` in flight refuses other calls
(the real one hangs).
"""
import itertools
import threading
from xml.etree import ElementTree as etree

# -- constants (libvirt's values) ---
VIR_DOMAIN_NOSTATE = 0
VIR_DOMAIN_RUNNING = 1
VIR_DOMAIN_BLOCKED = 2
VIR_DOMAIN_PAUSED = 3
VIR_DOMAIN_SHUTDOWN = 4
VIR_DOMAIN_SHUTOFF = 5
VIR_DOMAIN_CRASHED = 6
VIR_DOMAIN_PMSUSPENDED = 7

VIR_DOMAIN_JOB_NONE = 0
VIR_DOMAIN_JOB_BOUNDED = 1
VIR_DOMAIN_JOB_UNBOUNDED = 2
VIR_DOMAIN_JOB_COMPLETED = 3
VIR_DOMAIN_JOB_FAILED = 4
VIR_DOMAIN_JOB_CANCELLED = 5

VIR_MIGRATE_LIVE = 1
VIR_MIGRATE_PEER2PEER = 2
VIR_MIGRATE_TUNNELLED = 4
VIR_MIGRATE_PERSIST_DEST = 8
VIR_MIGRATE_UNDEFINE_SOURCE = 16
VIR_MIGRATE_PAUSED = 32
VIR_MIGRATE_NON_SHARED_DISK = 64
VIR_MIGRATE_NON_SHARED_INC = 128
VIR_MIGRATE_AUTO_CONVERGE = 8192
VIR_MIGRATE_POSTCOPY = 32768

VIR_MIGRATE_PARAM_URI = 'migrate_uri'
VIR_MIGRATE_PARAM_BANDWIDTH = 'bandwidth'

VIR_DOMAIN_XML_MIGRATABLE = 8

VIR_DOMAIN_AFFECT_LIVE = 1
VIR_DOMAIN_AFFECT_CONFIG = 2
VIR_DOMAIN_BLOCK_COPY_SHALLOW = 1
VIR_DOMAIN_BLOCK_COPY_REUSE_EXT = 2
VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB = 4
VIR_DOMAIN_BLOCK_COPY_BANDWIDTH = 'bandwidth'
VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC = 1
VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT = 2
VIR_DOMAIN_BLOCK_JOB_TYPE_COPY = 2

VIR_CPU_COMPARE_ERROR = -1
VIR_CPU_COMPARE_INCOMPATIBLE = 0
VIR_CPU_COMPARE_IDENTICAL = 1
VIR_CPU_COMPARE_SUPERSET = 2

VIR_FROM_QEMU = 10
VIR_FROM_DOMAIN = 20

VIR_ERR_OK = 0
VIR_ERR_INTERNAL_ERROR = 1
VIR_ERR_NO_SUPPORT = 3
VIR_ERR_OPERATION_FAILED = 9
VIR_ERR_SYSTEM_ERROR = 38
VIR_ERR_NO_DOMAIN = 42
VIR_ERR_OPERATION_INVALID = 55
VIR_ERR_OPERATION_ABORTED = 78


class libvirtError(Exception):

    def __init__(self, msg, error_code=VIR_ERR_INTERNAL_ERROR,
                 error_domain=VIR_FROM_QEMU):
        super().__init__(msg)
        self.err = (error_code, error_domain, msg)

    def get_error_code(self):
        return self.err[0]

    def get_error_domain(self):
        return self.err[1]

    def get_error_message(self):
        return self.err[2]


error_handler = None


def registerErrorHandler(f, ctx):
    global error_handler
    error_handler = (f, ctx)
    return 1


def getVersion():
    return 9000000


def no_domain_error(uuid):
    return libvirtError('Domain not found: no domain with matching uuid '
                        "'%s'" % uuid, VIR_ERR_NO_DOMAIN)


# -- hosts ----------
_hosts = {}
_conn_ids = itertools.count(1)

CAPABILITIES = """<capabilities><host>
  <uuid>00000000-0000-4000-8000-000000000001</uuid>
  <cpu><arch>x86_64</arch><model>Skylake-Client-IBRS</model>
    <vendor>Intel</vendor>
    <topology sockets='1' dies='1' cores='4' threads='2'/>
    <feature name='vmx'/><feature name='ssbd'/>
  </cpu></host></capabilities>"""


class FakeHost(object):
    """One libvirtd: its identity, its domains, the calls it received."""

    def __init__(self, uri, hostname='fakehost', hv_type='QEMU',
                 version=7002000, lib_version=9000000,
                 info=('x86_64', 15872, 8, 2400, 1, 1, 4, 2),
                 capabilities=CAPABILITIES):
        self.uri = uri
        self.hostname = hostname
        self.hv_type = hv_type
        self.version = version
        self.lib_version = lib_version
        self.info = list(info)
        self.capabilities = capabilities
        self.domains = {}
        # What compareCPU answers: a VIR_CPU_COMPARE_* or a libvirtError.
        self.cpu_compare = VIR_CPU_COMPARE_IDENTICAL
        self.calls = []        # (connection id, method, args)
        self.connections = []
        self.lock = threading.Lock()

    def record(self, conn, method, *args):
        with self.lock:
            self.calls.append((conn.id, method, args))

    def calls_to(self, method):
        return [c for c in self.calls if c[1] == method]

    def add_domain(self, uuid, name='guest', memory_mb=512, vcpus=1,
                   active=True, persistent=True):
        state = DomainState(uuid, name, memory_mb, vcpus, active,
                            persistent)
        self.domains[uuid] = state
        return state


def add_host(uri, **kwargs):
    host = FakeHost(uri, **kwargs)
    _hosts[uri] = host
    return host


def get_host(uri):
    return _hosts[uri]


def reset():
    global error_handler
    _hosts.clear()
    error_handler = None


def open(uri=None):  # noqa: A001 -- libvirt's name
    host = _hosts.get(uri)
    if host is None:
        raise libvirtError('Failed to connect socket to %s: Connection '
                           'refused' % uri, VIR_ERR_SYSTEM_ERROR)
    conn = virConnect(host)
    host.connections.append(conn)
    return conn


# -- domains ----------
class DomainState(object):
    """A domain as its host knows it, shared by every virDomain handle."""

    def __init__(self, uuid, name, memory_mb, vcpus, active, persistent):
        self.uuid = uuid
        self.name = name
        self.memory_mb = memory_mb
        self.vcpus = vcpus
        self.state = VIR_DOMAIN_RUNNING if active else VIR_DOMAIN_SHUTOFF
        self.persistent = persistent
        self.host = None
        # What jobStats() answers, in turn: dicts or libvirtErrors; the
        # last one repeats. Empty: derived from the migration in flight.
        self.job_stats_script = []
        self.job_stats_supported = True
        self.max_downtime = None
        self.max_speed = None
        self.migration = None
        # Disks: target dev -> source file; block jobs: dev -> BlockJob.
        self.disks = {}
        self.block_jobs = {}
        # Scripted jobs the next blockCopy of a disk starts (BlockJob).
        self.pending_block_jobs = {}

    def xml(self):
        disks = ''.join(
            "<disk type='file' device='disk'><source file='%s'/>"
            "<target dev='%s' bus='virtio'/></disk>" % (path, dev)
            for dev, path in sorted(self.disks.items()))
        return ("<domain type='kvm'><name>%s</name><uuid>%s</uuid>"
                "<memory unit='MiB'>%d</memory><vcpu>%d</vcpu>"
                "<devices>%s</devices></domain>"
                % (self.name, self.uuid, self.memory_mb, self.vcpus, disks))

    def next_job_stats(self):
        if self.job_stats_script:
            item = (self.job_stats_script.pop(0)
                    if len(self.job_stats_script) > 1
                    else self.job_stats_script[0])
            if isinstance(item, Exception):
                raise item
            return dict(item)
        if self.migration is not None and not self.migration.done.is_set():
            return {'type': VIR_DOMAIN_JOB_UNBOUNDED}
        return {'type': VIR_DOMAIN_JOB_NONE}

    # Test helpers for a migration in flight.
    def finish_migration(self):
        """Let the pending (or next) migrateToURI3 succeed."""
        self.pending_migration().finish(None)

    def fail_migration(self, error):
        """Let the pending (or next) migrateToURI3 raise ``error``."""
        self.pending_migration().finish(error)

    def pending_migration(self):
        """The migration the pending (or next) migrateToURI3 takes part
        in; the test and the migrating thread may both be first to ask."""
        with _slot_lock:
            if self.migration is None or self.migration.done.is_set():
                self.migration = Migration()
            return self.migration


_slot_lock = threading.Lock()


class Migration(object):
    """How one migrateToURI3 ends: it waits until ``finish``."""

    def __init__(self):
        self.outcome = None
        self.released = threading.Event()
        self.started = threading.Event()
        self.done = threading.Event()
        self.flags = 0

    def finish(self, error):
        self.outcome = error
        self.released.set()


class BlockJob(object):
    """A block copy: each blockJobInfo() moves ``cur`` to the next value
    of ``script`` (the last one repeats); a value 'gone' makes the job
    vanish, as when QEMU fails it."""

    def __init__(self, dest, flags, end=1000, script=None):
        self.dest = dest
        self.flags = flags
        self.end = end
        self.cur = 0
        self.script = list(script) if script else [end]


def _disk_source_and_dev(xml):
    root = etree.fromstring(xml)
    source = root.find('source')
    target = root.find('target')
    return (source.get('file') if source is not None else None,
            target.get('dev') if target is not None else None)


class virConnect(object):

    def __init__(self, host):
        self.host = host
        self.id = next(_conn_ids)
        self.closed = False
        self.migrating = False

    def _call(self, method, *args):
        if self.closed:
            raise libvirtError('internal error: client socket is closed',
                               VIR_ERR_INTERNAL_ERROR)
        if self.migrating:
            raise AssertionError('%s on connection %d while its '
                                 'migrateToURI3 is in flight: real libvirt '
                                 'hangs here' % (method, self.id))
        self.host.record(self, method, *args)

    def close(self):
        self._call('close')
        self.closed = True
        return 0

    def isAlive(self):
        return 0 if self.closed else 1

    def getType(self):
        self._call('getType')
        return self.host.hv_type

    def getVersion(self):
        self._call('getVersion')
        return self.host.version

    def getLibVersion(self):
        self._call('getLibVersion')
        return self.host.lib_version

    def getHostname(self):
        self._call('getHostname')
        return self.host.hostname

    def getInfo(self):
        self._call('getInfo')
        return list(self.host.info)

    def getCapabilities(self):
        self._call('getCapabilities')
        return self.host.capabilities

    def compareCPU(self, xml, flags=0):
        self._call('compareCPU', xml, flags)
        etree.fromstring(xml)  # must at least be XML
        if isinstance(self.host.cpu_compare, Exception):
            raise self.host.cpu_compare
        return self.host.cpu_compare

    def listAllDomains(self, flags=0):
        self._call('listAllDomains', flags)
        return [virDomain(self, s) for s in list(self.host.domains.values())]

    def lookupByUUIDString(self, uuid):
        self._call('lookupByUUIDString', uuid)
        state = self.host.domains.get(uuid)
        if state is None:
            raise no_domain_error(uuid)
        return virDomain(self, state)

    def defineXML(self, xml):
        self._call('defineXML', xml)
        root = etree.fromstring(xml)
        uuid = root.findtext('uuid')
        state = self.host.domains.get(uuid)
        if state is None:
            state = self.host.add_domain(
                uuid, root.findtext('name'),
                int(root.findtext('memory')), int(root.findtext('vcpu')),
                active=False)
        state.persistent = True
        return virDomain(self, state)


class virDomain(object):

    def __init__(self, conn, state):
        self._conn = conn
        self._state = state

    def _call(self, method, *args):
        self._conn._call(method, self._state.uuid, *args)
        if self._conn.host.domains.get(self._state.uuid) is not self._state:
            raise no_domain_error(self._state.uuid)
        return self._state

    def _require_active(self, state):
        if state.state == VIR_DOMAIN_SHUTOFF:
            raise libvirtError('Requested operation is not valid: domain '
                               'is not running', VIR_ERR_OPERATION_INVALID)

    def UUIDString(self):
        return self._state.uuid

    def name(self):
        return self._state.name

    def info(self):
        s = self._call('info')
        kib = s.memory_mb * 1024
        return [s.state, kib, kib, s.vcpus, 0]

    def isActive(self):
        return int(self._call('isActive').state != VIR_DOMAIN_SHUTOFF)

    def isPersistent(self):
        return int(self._call('isPersistent').persistent)

    def XMLDesc(self, flags=0):
        return self._call('XMLDesc', flags).xml()

    def create(self):
        s = self._call('create')
        if s.state != VIR_DOMAIN_SHUTOFF:
            raise libvirtError('Requested operation is not valid: domain '
                               'is already running',
                               VIR_ERR_OPERATION_INVALID)
        s.state = VIR_DOMAIN_RUNNING
        return 0

    def destroy(self):
        s = self._call('destroy')
        self._require_active(s)
        s.state = VIR_DOMAIN_SHUTOFF
        if not s.persistent:
            del self._conn.host.domains[s.uuid]
        return 0

    def undefine(self):
        s = self._call('undefine')
        if not s.persistent:
            raise libvirtError('Requested operation is not valid: cannot '
                               'undefine transient domain',
                               VIR_ERR_OPERATION_INVALID)
        if s.state == VIR_DOMAIN_SHUTOFF:
            del self._conn.host.domains[s.uuid]
        else:
            s.persistent = False
        return 0

    def suspend(self):
        s = self._call('suspend')
        self._require_active(s)
        s.state = VIR_DOMAIN_PAUSED
        return 0

    def resume(self):
        s = self._call('resume')
        self._require_active(s)
        s.state = VIR_DOMAIN_RUNNING
        return 0

    # -- disks and block jobs ------------------------------------------------
    def attachDeviceFlags(self, xml, flags=0):
        s = self._call('attachDeviceFlags', xml, flags)
        path, dev = _disk_source_and_dev(xml)
        if dev in s.disks:
            raise libvirtError('Requested operation is not valid: target '
                               '%s already exists' % dev,
                               VIR_ERR_OPERATION_INVALID)
        s.disks[dev] = path
        return 0

    def detachDeviceFlags(self, xml, flags=0):
        s = self._call('detachDeviceFlags', xml, flags)
        _path, dev = _disk_source_and_dev(xml)
        if s.disks.pop(dev, None) is None:
            raise libvirtError('operation failed: disk %s not found' % dev,
                               VIR_ERR_OPERATION_FAILED)
        return 0

    def blockCopy(self, disk, destxml, params=None, flags=0):
        s = self._call('blockCopy', disk, destxml, params, flags)
        self._require_active(s)
        if disk not in s.disks:
            raise libvirtError('invalid argument: disk %s not found' % disk,
                               VIR_ERR_OPERATION_INVALID)
        if disk in s.block_jobs:
            raise libvirtError('block copy still active: disk %s already '
                               'in use' % disk, VIR_ERR_OPERATION_INVALID)
        if s.persistent and not flags & VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB:
            # What libvirt (9.0) answers for a persistent domain.
            raise libvirtError('Requested operation is not valid: domain '
                               'is not transient', VIR_ERR_OPERATION_INVALID)
        dest = etree.fromstring(destxml).find('source').get('file')
        job = s.pending_block_jobs.pop(disk, None) or BlockJob(dest, flags)
        job.dest, job.flags = dest, flags
        s.block_jobs[disk] = job
        return 0

    def blockJobInfo(self, disk, flags=0):
        s = self._call('blockJobInfo', disk, flags)
        job = s.block_jobs.get(disk)
        if job is None:
            return {}
        step = job.script.pop(0) if len(job.script) > 1 else job.script[0]
        if step == 'gone':
            del s.block_jobs[disk]
            return {}
        job.cur = step
        return {'type': VIR_DOMAIN_BLOCK_JOB_TYPE_COPY, 'bandwidth': 0,
                'cur': job.cur, 'end': job.end}

    def blockJobAbort(self, disk, flags=0):
        s = self._call('blockJobAbort', disk, flags)
        job = s.block_jobs.get(disk)
        if job is None:
            raise libvirtError('Requested operation is not valid: no job '
                               'on disk %s' % disk, VIR_ERR_OPERATION_INVALID)
        if flags & VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT:
            if job.cur != job.end:
                raise libvirtError('block copy not ready for pivot',
                                   VIR_ERR_OPERATION_INVALID)
            s.disks[disk] = job.dest
        del s.block_jobs[disk]
        return 0

    # -- jobs and migration ------------------------------------------------
    def jobStats(self, flags=0):
        s = self._call('jobStats', flags)
        if not s.job_stats_supported:
            raise libvirtError('this function is not supported by the '
                               'connection driver: virDomainGetJobStats',
                               VIR_ERR_NO_SUPPORT)
        return s.next_job_stats()

    def jobInfo(self):
        s = self._call('jobInfo')
        stats = s.next_job_stats()
        keys = ('type', 'time_elapsed', 'time_remaining', 'data_total',
                'data_processed', 'data_remaining', 'memory_total',
                'memory_processed', 'memory_remaining', 'disk_total',
                'disk_processed', 'disk_remaining')
        return [stats.get(k, 0) for k in keys]

    def _require_migration(self, s):
        self._require_active(s)
        if s.migration is None or not s.migration.started.is_set() or \
                s.migration.done.is_set():
            raise libvirtError('Requested operation is not valid: no job is '
                               'active on the domain',
                               VIR_ERR_OPERATION_INVALID)
        return s.migration

    def migrateSetMaxDowntime(self, downtime, flags=0):
        s = self._call('migrateSetMaxDowntime', downtime, flags)
        self._require_active(s)
        s.max_downtime = downtime
        return 0

    def migrateSetMaxSpeed(self, bandwidth, flags=0):
        s = self._call('migrateSetMaxSpeed', bandwidth, flags)
        self._require_active(s)
        s.max_speed = bandwidth
        return 0

    def migrateStartPostCopy(self, flags=0):
        s = self._call('migrateStartPostCopy', flags)
        migration = self._require_migration(s)
        if not migration.flags & VIR_MIGRATE_POSTCOPY:
            raise libvirtError('Requested operation is not valid: switching '
                               'to post-copy requires migration to be '
                               'started with VIR_MIGRATE_POSTCOPY flag',
                               VIR_ERR_OPERATION_INVALID)
        return 0

    def abortJob(self):
        s = self._call('abortJob')
        migration = self._require_migration(s)
        migration.finish(libvirtError(
            "operation aborted: job 'migration out' canceled by client",
            VIR_ERR_OPERATION_ABORTED))
        return 0

    def migrateToURI3(self, dconnuri, params, flags):
        s = self._call('migrateToURI3', dconnuri, dict(params), flags)
        self._require_active(s)
        dest = _hosts.get(dconnuri)
        if dest is None:
            raise libvirtError('unable to connect to server at %s'
                               % dconnuri, VIR_ERR_SYSTEM_ERROR)
        migration = s.pending_migration()
        migration.flags = flags
        migration.started.set()
        self._conn.migrating = True
        try:
            if not migration.released.wait(30):
                raise libvirtError('fakelibvirt: nobody finished the '
                                   'migration', VIR_ERR_OPERATION_FAILED)
            if migration.outcome is not None:
                raise migration.outcome
            self._move_to(dest, flags)
        finally:
            self._conn.migrating = False
            migration.done.set()
        return 0

    def _move_to(self, dest, flags):
        s = self._state
        moved = DomainState(s.uuid, s.name, s.memory_mb, s.vcpus, True,
                            bool(flags & VIR_MIGRATE_PERSIST_DEST))
        dest.domains[s.uuid] = moved
        if flags & VIR_MIGRATE_UNDEFINE_SOURCE or not s.persistent:
            del self._conn.host.domains[s.uuid]
        else:
            s.state = VIR_DOMAIN_SHUTOFF
