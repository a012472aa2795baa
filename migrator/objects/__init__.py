"""migrator's versioned objects.

``register_all()`` imports every object module so the registry knows each
class; services call it once at start-up.
"""


def register_all():
    __import__('migrator.objects.cell_mapping')
    __import__('migrator.objects.compute_node')
    __import__('migrator.objects.flavor')
    __import__('migrator.objects.host_mapping')
    __import__('migrator.objects.instance')
    __import__('migrator.objects.instance_action')
    __import__('migrator.objects.instance_fault')
    __import__('migrator.objects.instance_mapping')
    __import__('migrator.objects.migration')
    __import__('migrator.objects.pmem_namespace')
    __import__('migrator.objects.service')
    __import__('migrator.objects.volume')
