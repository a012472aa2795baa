"""Authorization with oslo.policy.

The rules' defaults live in code (``migrator.policies``); an operator's
policy file overrides them. ``authorize(context, rule, target)`` raises
``PolicyNotAuthorized`` (403) when the rule denies; ``check`` answers
True/False for rules that only change what a response shows.
"""
import inspect
import threading
import time

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from migrator import exception
from migrator import policies

CONF = cfg.CONF

_ENFORCER = None
_lock = threading.Lock()

# Seconds between two looks at the policy file (and policy_dirs) for a
# change: a changed file takes effect within this time.
RULES_RECHECK = 1.0


class Enforcer(oslo_policy.Enforcer):
    """oslo.policy's Enforcer, looking for a changed policy file at most
    every RULES_RECHECK s instead of at every check.

    oslo.policy reloads at each ``enforce``: it searches the config
    directories for the policy file, stats it and walks every registered
    rule. ``GET /servers/{id}`` at 2.80 makes 4 checks, and that work
    was 40 % of its CPU (cProfile in process time, issue 14)."""

    _checked_at = None

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if (not force_reload and self.rules and
                self._checked_at is not None and
                0 <= now - self._checked_at < RULES_RECHECK):
            return
        super().load_rules(force_reload)
        self._checked_at = now

    def clear(self):
        super().clear()
        self._checked_at = None


def _fix_check_signatures():
    """Give each policy check class's ``__call__`` its signature,
    computed once, as ``__signature__``.

    oslo.policy asks ``inspect.getfullargspec(check.__call__)`` at every
    check it evaluates (whether to pass ``current_rule``); inspect builds
    the signature from the function each time unless the function has a
    ``__signature__`` (Python's documented override), which it then
    returns as is: 38 -> 9 us per check, 13 % of a ``GET
    /os-migrations`` (issue 14). The signature set is the function's
    own, so every answer stays the same.
    """
    seen = set()
    todo = [oslo_policy.Check, oslo_policy.AndCheck, oslo_policy.OrCheck,
            oslo_policy.NotCheck, oslo_policy.RuleCheck]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        todo.extend(cls.__subclasses__())
        call = cls.__dict__.get('__call__')
        if inspect.isfunction(call) and \
                getattr(call, '__signature__', None) is None:
            call.__signature__ = inspect.signature(call)


def init(conf=CONF, policy_file=None, rules=None, use_conf=True):
    global _ENFORCER
    with _lock:
        if _ENFORCER is None:
            if getattr(conf, '_namespace', None) is None:
                # Configuration not parsed (embedding code and tests that
                # set overrides only): the in-code defaults, no file.
                conf = cfg.ConfigOpts()
                conf([], project='migrator', default_config_files=[])
            enforcer = Enforcer(conf, policy_file=policy_file, rules=rules,
                                use_conf=use_conf)
            enforcer.register_defaults(policies.list_rules())
            _fix_check_signatures()
            _ENFORCER = enforcer
        return _ENFORCER


def reset():
    global _ENFORCER
    with _lock:
        if _ENFORCER is not None:
            _ENFORCER.clear()
        _ENFORCER = None


def get_enforcer():
    """For oslopolicy-* tools (the ``oslo.policy.enforcer`` entry point):
    parse the command line's config so policy_file is honoured."""
    import sys
    conf = cfg.ConfigOpts()
    conf([a for a in sys.argv[1:] if a.startswith('--config')],
         project='migrator')
    return init(conf)


def _target(context, target):
    if target is None:
        return {'project_id': context.project_id,
                'user_id': context.user_id}
    return target


def authorize(context, rule, target=None):
    """Raise PolicyNotAuthorized unless ``rule`` allows ``context`` on
    ``target`` (default: the caller's own project)."""
    enforcer = init()
    try:
        return enforcer.authorize(rule, _target(context, target), context,
                                  do_raise=True,
                                  exc=exception.PolicyNotAuthorized,
                                  action=rule)
    except oslo_policy.InvalidScope:
        raise exception.PolicyNotAuthorized(action=rule)


def check(context, rule, target=None):
    """True if ``rule`` allows ``context`` on ``target``."""
    enforcer = init()
    try:
        return enforcer.authorize(rule, _target(context, target), context,
                                  do_raise=False)
    except oslo_policy.InvalidScope:
        return False
