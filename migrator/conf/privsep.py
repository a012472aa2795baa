"""Options of migrator's privsep daemon ([migrator_pmem_privileged]):
oslo.privsep's own (helper_command, user, group, capabilities, ...), so
that the sample configuration lists them."""
from oslo_privsep import priv_context

GROUP = 'migrator_pmem_privileged'


def list_opts():
    # Registered by migrator.privsep when its context is created.
    return {GROUP: priv_context.OPTS}
