"""Models of a cell database: the instances of one cell and their history."""
import sqlalchemy as sa

from migrator.db import types

BASE = types.declarative_base()

MIGRATIONS_HOST_IDX_MYSQL_LENGTH = {
    'source_compute': 128, 'dest_compute': 128, 'source_node': 128,
    'dest_node': 128, 'status': 64}


class Instance(BASE, types.TimestampMixin, types.SoftDeleteMixin):
    __tablename__ = 'instances'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_instances0uuid'),
        sa.Index('instances_project_id_deleted_idx', 'project_id',
                 'deleted'),
        sa.Index('instances_host_node_deleted_idx', 'host', 'node',
                 'deleted'),
        sa.Index('instances_created_at_id_idx', 'created_at', 'id'),
        sa.Index('instances_updated_at_idx', 'updated_at'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    display_name = sa.Column(sa.String(255))
    user_id = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255))
    host = sa.Column(sa.String(255))
    node = sa.Column(sa.String(255))
    vm_state = sa.Column(sa.String(255))
    task_state = sa.Column(sa.String(255))
    power_state = sa.Column(sa.Integer)
    image_ref = sa.Column(sa.String(255))
    instance_type_id = sa.Column(sa.Integer)
    # The flavor as it was when the instance was built or last resized,
    # kept with the instance because flavors may be deleted later (JSON).
    flavor = sa.Column(sa.Text)
    memory_mb = sa.Column(sa.Integer)
    vcpus = sa.Column(sa.Integer)
    root_gb = sa.Column(sa.Integer)
    ephemeral_gb = sa.Column(sa.Integer)
    metadata_json = sa.Column('metadata', sa.Text)
    locked = sa.Column(sa.Boolean, default=False)
    locked_by = sa.Column(sa.String(255))
    progress = sa.Column(sa.Integer)
    availability_zone = sa.Column(sa.String(255))
    launched_at = sa.Column(sa.DateTime)
    terminated_at = sa.Column(sa.DateTime)
    # JSON: the API fields without a column (objects/instance.py).
    server_attributes = sa.Column(sa.Text)
    # The server's tags as ',a,b,' (objects/instance.py).
    tags = sa.Column(sa.Text)


class InstanceFault(BASE, types.TimestampMixin, types.SoftDeleteMixin):
    __tablename__ = 'instance_faults'
    __table_args__ = (
        sa.Index('instance_faults_instance_uuid_deleted_created_at_idx',
                 'instance_uuid', 'deleted', 'created_at'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    instance_uuid = sa.Column(sa.String(36), nullable=False)
    code = sa.Column(sa.Integer, nullable=False)
    message = sa.Column(sa.String(255))
    details = sa.Column(sa.Text)
    host = sa.Column(sa.String(255))


class Migration(BASE, types.TimestampMixin, types.SoftDeleteMixin):
    __tablename__ = 'migrations'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_migrations0uuid'),
        sa.Index('migrations_instance_uuid_and_status_idx', 'deleted',
                 'instance_uuid', 'status'),
        # Prefix lengths on MySQL/MariaDB: five utf8mb4 VARCHAR(255) make a
        # key longer than InnoDB's 3072 bytes.
        sa.Index('migrations_by_host_nodes_and_status_idx', 'deleted',
                 'source_compute', 'dest_compute', 'source_node',
                 'dest_node', 'status',
                 mysql_length=MIGRATIONS_HOST_IDX_MYSQL_LENGTH),
        # os-migrations pages by (created_at desc, id desc); with this
        # index a page with a marker is a range scan at any table size.
        sa.Index('migrations_created_at_id_idx', 'created_at', 'id'),
        # The same with the soft-delete flag first: listings filter on
        # deleted = 0, and without table statistics a planner otherwise
        # takes the deleted-first index above and sorts every row.
        sa.Index('migrations_deleted_created_at_id_idx', 'deleted',
                 'created_at', 'id'),
        sa.Index('migrations_updated_at_idx', 'updated_at'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    source_compute = sa.Column(sa.String(255))
    dest_compute = sa.Column(sa.String(255))
    source_node = sa.Column(sa.String(255))
    dest_node = sa.Column(sa.String(255))
    dest_host = sa.Column(sa.String(255))
    status = sa.Column(sa.String(255))
    instance_uuid = sa.Column(sa.String(36))
    old_instance_type_id = sa.Column(sa.Integer)
    new_instance_type_id = sa.Column(sa.Integer)
    migration_type = sa.Column(sa.Enum('migration', 'resize',
                                       'live-migration', 'evacuation',
                                       name='migration_type'))
    hidden = sa.Column(sa.Boolean, default=False)
    cross_cell_move = sa.Column(sa.Boolean, default=False)
    user_id = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255))
    # Seed 001: what the driver's job statistics say, in bytes.
    memory_total = sa.Column(sa.BigInteger)
    memory_processed = sa.Column(sa.BigInteger)
    memory_remaining = sa.Column(sa.BigInteger)
    disk_total = sa.Column(sa.BigInteger)
    disk_processed = sa.Column(sa.BigInteger)
    disk_remaining = sa.Column(sa.BigInteger)
    # Progress beyond the six counters (percent, rates, ETA, phase
    # timestamps), as JSON: it changes shape with the API, not the schema.
    progress_detail = sa.Column(sa.Text)


class InstanceAction(BASE, types.TimestampMixin, types.SoftDeleteMixin):
    __tablename__ = 'instance_actions'
    __table_args__ = (
        sa.Index('instance_uuid_idx', 'instance_uuid'),
        sa.Index('request_id_idx', 'request_id'),
        sa.Index('instance_actions_instance_uuid_updated_at_idx',
                 'instance_uuid', 'updated_at'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    action = sa.Column(sa.String(255))
    instance_uuid = sa.Column(sa.String(36))
    request_id = sa.Column(sa.String(255))
    user_id = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255))
    start_time = sa.Column(sa.DateTime)
    finish_time = sa.Column(sa.DateTime)
    message = sa.Column(sa.String(255))


class InstanceActionEvent(BASE, types.TimestampMixin,
                          types.SoftDeleteMixin):
    __tablename__ = 'instance_actions_events'
    __table_args__ = (
        sa.Index('instance_actions_events_action_id_idx', 'action_id'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    event = sa.Column(sa.String(255))
    action_id = sa.Column(sa.Integer, sa.ForeignKey('instance_actions.id'))
    start_time = sa.Column(sa.DateTime)
    finish_time = sa.Column(sa.DateTime)
    result = sa.Column(sa.String(255))
    traceback = sa.Column(sa.Text)
    host = sa.Column(sa.String(255))
    details = sa.Column(sa.Text)


class Service(BASE, types.TimestampMixin, types.SoftDeleteMixin):
    __tablename__ = 'services'
    __table_args__ = (
        sa.UniqueConstraint('host', 'binary', 'deleted',
                            name='uniq_services0host0binary0deleted'),
        sa.UniqueConstraint('uuid', name='uniq_services0uuid'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    host = sa.Column(sa.String(255))
    binary = sa.Column(sa.String(255))
    topic = sa.Column(sa.String(255))
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    disabled = sa.Column(sa.Boolean, default=False)
    disabled_reason = sa.Column(sa.String(255))
    last_seen_up = sa.Column(sa.DateTime)
    forced_down = sa.Column(sa.Boolean, default=False)
    version = sa.Column(sa.Integer, default=0)


class ComputeNode(BASE, types.TimestampMixin, types.SoftDeleteMixin):
    __tablename__ = 'compute_nodes'
    __table_args__ = (
        sa.UniqueConstraint(
            'host', 'hypervisor_hostname', 'deleted',
            name='uniq_compute_nodes0host0hypervisor_hostname0deleted'),
        sa.UniqueConstraint('uuid', name='uniq_compute_nodes0uuid'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    service_id = sa.Column(sa.Integer)
    host = sa.Column(sa.String(255))
    hypervisor_hostname = sa.Column(sa.String(255))
    hypervisor_type = sa.Column(sa.String(255))
    hypervisor_version = sa.Column(sa.Integer)
    cpu_info = sa.Column(sa.Text)
    host_ip = sa.Column(sa.String(39))
    vcpus = sa.Column(sa.Integer, nullable=False)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    local_gb = sa.Column(sa.Integer, nullable=False)
    vcpus_used = sa.Column(sa.Integer, nullable=False, default=0)
    memory_mb_used = sa.Column(sa.Integer, nullable=False, default=0)
    local_gb_used = sa.Column(sa.Integer, nullable=False, default=0)
    running_vms = sa.Column(sa.Integer, default=0)
    cpu_allocation_ratio = sa.Column(sa.Float)
    ram_allocation_ratio = sa.Column(sa.Float)
    disk_allocation_ratio = sa.Column(sa.Float)


# -- cold migration and resize with PMEM (seed 003) ---------------------------
class PmemNamespace(BASE, types.TimestampMixin):
    """A persistent-memory namespace of a compute host, and the instance it
    is assigned to (NULL: free). ``migration_uuid`` marks a namespace
    claimed on a destination for a move, until the move ends."""
    __tablename__ = 'pmem_namespaces'
    __table_args__ = (
        sa.UniqueConstraint('host', 'name',
                            name='uniq_pmem_namespaces0host0name'),
        sa.Index('pmem_namespaces_instance_uuid_idx', 'instance_uuid'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    host = sa.Column(sa.String(255), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    label = sa.Column(sa.String(255), nullable=False)
    size = sa.Column(sa.BigInteger, nullable=False)
    devpath = sa.Column(sa.String(255), nullable=False)
    # 'file' (a file-backed namespace) or 'devdax' (a device-dax device).
    backing = sa.Column(sa.String(16), nullable=False)
    instance_uuid = sa.Column(sa.String(36))
    migration_uuid = sa.Column(sa.String(36))


class MigrationContext(BASE, types.TimestampMixin):
    """What a cold migration or resize moves: the flavors and the PMEM
    namespaces on both sides, kept until the move is confirmed, reverted
    or has failed (one row per instance at a time)."""
    __tablename__ = 'migration_contexts'
    __table_args__ = (
        sa.UniqueConstraint('instance_uuid',
                            name='uniq_migration_contexts0instance_uuid'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    instance_uuid = sa.Column(sa.String(36), nullable=False)
    migration_uuid = sa.Column(sa.String(36), nullable=False)
    # Flavor snapshots as JSON, like instances.flavor.
    old_flavor = sa.Column(sa.Text)
    new_flavor = sa.Column(sa.Text)
    # The namespaces ([{name, label, size, devpath, backing, host}]) as
    # JSON: the source's and those claimed on the destination.
    old_pmem = sa.Column(sa.Text)
    new_pmem = sa.Column(sa.Text)
    copy_pmem_devices = sa.Column(sa.Boolean, nullable=False, default=False)
    # The vm_state to come back to on revert or failure.
    old_vm_state = sa.Column(sa.String(255))


class Volume(BASE, types.TimestampMixin, types.SoftDeleteMixin):
    """A block storage volume (Cinder's fields, for what migrator
    serves). ``host`` is Cinder's ``host@backend#pool``; the data lives on
    that backend under the name of ``name_id`` when set (after a
    migration), else ``uuid``."""
    __tablename__ = 'volumes'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_volumes0uuid'),
        sa.Index('volumes_project_id_deleted_idx', 'project_id',
                 'deleted'),
        sa.Index('volumes_host_deleted_idx', 'host', 'deleted'),
        sa.Index('volumes_created_at_id_idx', 'created_at', 'id'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    user_id = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255))
    display_name = sa.Column(sa.String(255))
    display_description = sa.Column(sa.String(255))
    size = sa.Column(sa.Integer)
    status = sa.Column(sa.String(255))
    previous_status = sa.Column(sa.String(255))
    attach_status = sa.Column(sa.String(255))
    host = sa.Column(sa.String(255))
    availability_zone = sa.Column(sa.String(255))
    volume_type = sa.Column(sa.String(255))
    bootable = sa.Column(sa.Boolean, default=False)
    multiattach = sa.Column(sa.Boolean, default=False)
    metadata_json = sa.Column('metadata', sa.Text)
    # Volume migration: Cinder's migration_status and name_id, and how
    # the running migration moves the data (host-assisted,
    # driver-assisted, attached) so that its progress can be asked of
    # whoever copies.
    migration_status = sa.Column(sa.String(255))
    name_id = sa.Column(sa.String(36))
    migration_method = sa.Column(sa.String(32))
    migration_dest_host = sa.Column(sa.String(255))
    launched_at = sa.Column(sa.DateTime)
    terminated_at = sa.Column(sa.DateTime)


class VolumeAttachment(BASE, types.TimestampMixin, types.SoftDeleteMixin):
    """A volume attached to a server: Cinder's attachment and Nova's block
    device mapping in one row (``uuid`` is the attachment id,
    ``bdm_uuid`` the mapping's)."""
    __tablename__ = 'volume_attachments'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_volume_attachments0uuid'),
        sa.Index('volume_attachments_volume_id_deleted_idx', 'volume_id',
                 'deleted'),
        sa.Index('volume_attachments_instance_uuid_deleted_idx',
                 'instance_uuid', 'deleted'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    bdm_uuid = sa.Column(sa.String(36))
    volume_id = sa.Column(sa.String(36), nullable=False)
    instance_uuid = sa.Column(sa.String(36))
    attached_host = sa.Column(sa.String(255))
    mountpoint = sa.Column(sa.String(255))
    attach_status = sa.Column(sa.String(255))
    attach_mode = sa.Column(sa.String(36))
    delete_on_termination = sa.Column(sa.Boolean, default=False)
    attach_time = sa.Column(sa.DateTime)
    detach_time = sa.Column(sa.DateTime)
    # The device tag given at attach (compute API 2.49, shown from 2.70).
    tag = sa.Column(sa.String(255))
