"""migrator-status: is this deployment in a sound state?

``migrator-status check`` audits the databases (see ``migrator.audit``):
an instance with a task but no live workflow, an unfinished migration
whose owner is down, a claim whose instance is gone, a mapping whose
instance is not in its cell. It prints each finding on one line and exits
0 when there is none, 1 when there is any, 2 on a bad setting and 255
when the audit itself failed (for example an unreachable database).
"""
import sys

from oslo_config import cfg
from oslo_log import log as logging

from migrator.cmd import common

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

CLEAN = 0
FOUND = 1
UNEXPECTED = 255


def _add_commands(subparsers):
    subparsers.add_parser(
        'check', help='Audit the databases; exit 1 if anything is found.')


command_opt = cfg.SubCommandOpt('command', title='Commands',
                                handler=_add_commands)


def check():
    from migrator import audit
    findings = audit.run()
    for finding in findings:
        print('%-9s %-8s %s: %s' % (finding.check, finding.cell,
                                    finding.subject, finding.detail))
    if findings:
        print('%d problem(s) found.' % len(findings))
        return FOUND
    print('No problems found.')
    return CLEAN


def main(argv=None):
    argv = list(argv or sys.argv)
    # An answer in seconds when a database is down.
    for group in ('database', 'api_database'):
        CONF.set_default('max_retries', 1, group=group)
        CONF.set_default('retry_interval', 1, group=group)
    common.parse_args(argv, 'migrator-status: audit a migrator '
                            'deployment\'s databases.',
                      cli_opts=[command_opt])
    common.require('api_database', 'connection', 'the API database URL')
    try:
        return check()
    except Exception as exc:
        LOG.debug('check failed', exc_info=True)
        print('ERROR: %s: %s' % (type(exc).__name__,
                                 str(exc).strip().splitlines()[0]
                                 if str(exc).strip() else ''),
              file=sys.stderr)
        return UNEXPECTED


if __name__ == '__main__':
    sys.exit(main())
