"""migrator's privileged operations, run through oslo.privsep.

``pmem_pctxt`` is the one privileged context: a daemon (started on first
use with ``privsep-helper``, see doc/source/admin/command-safety.rst)
that keeps only the capabilities below and runs nothing but the
entrypoints in this package, each an argv list with its arguments
checked again on the privileged side. Nothing else of migrator runs as
root.

* CAP_DAC_OVERRIDE: open /dev/daxX.Y (root's, mode 0600) for daxio;
* CAP_CHOWN: give a configured device-dax namespace to the service user
  before it copies it;
* CAP_SYS_ADMIN: ndctl reads namespace details only root may read.
"""
from oslo_privsep import capabilities
from oslo_privsep import priv_context

from migrator.conf import privsep as privsep_conf

CAPABILITIES = [capabilities.CAP_CHOWN,
                capabilities.CAP_DAC_OVERRIDE,
                capabilities.CAP_SYS_ADMIN]

pmem_pctxt = priv_context.PrivContext(
    'migrator',
    cfg_section=privsep_conf.GROUP,
    pypath=__name__ + '.pmem_pctxt',
    capabilities=CAPABILITIES,
)
