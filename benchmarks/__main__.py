"""Run the benchmarks: ``python -m benchmarks [--quick] [names...]``.

Each benchmark module exposes ``run(quick) -> {"name", "figures",
"ratios": [{"name", "value", "target", "met"}], "notes"}``. The runner
calls them one after the other (all of them, or the names given: a
module name with or without its ``bench_`` prefix, or a result name),
writes ``benchmarks/results/<name>.json`` with the commit, the date, the
machine's cores and its load average, and prints one table with every
ratio beside its target. ``--quick`` runs each at a small size (the whole
suite in under 5 minutes); without it, the sizes of issue 14 (under 30).
Each benchmark has a share of that time (``BUDGETS``); the table gives
each one's seconds beside its share, and the runner warns when one, or
the run, took longer than its budget.

The machine is shared: absolute times are noisy, the ratios (each
measured side by side in one run) are what to compare. Exits 1 when a
benchmark failed to run; a missed target is reported, not an error.
``--report`` prints the committed results' table without running.
"""
import argparse
import importlib
import json
import os
import resource
import sys
import time
import traceback

from benchmarks import common

# In the order they run: the short ones first.
BENCHMARKS = [
    'bench_startup',
    'bench_accept_latency',
    'bench_scale_out',
    'bench_progress_freshness',
    'bench_live_migrate_response',
    'bench_volume_progress',
    'bench_data_copy',
    'bench_pmem_resize',
    'bench_os_migrations_paging',
    'bench_map_instances',
]

# Seconds each may take on a quiet 2-core machine, (--quick, full): the
# shares of issue 14's 5 and 30 minutes for the whole suite, the full
# run aiming at 26.5 (1,590 s) to leave room for a noisy machine
# (25 until data_copy ran each case three times instead of once).
BUDGETS = {
    'bench_startup': (20, 200),
    'bench_accept_latency': (45, 180),
    'bench_scale_out': (45, 140),
    'bench_progress_freshness': (60, 150),
    'bench_live_migrate_response': (15, 35),
    'bench_volume_progress': (25, 35),
    'bench_data_copy': (25, 280),
    'bench_pmem_resize': (15, 40),
    'bench_os_migrations_paging': (25, 290),
    'bench_map_instances': (25, 240),
}
SUITE_BUDGET = (300, 1590)


def budget(module_name, quick):
    return BUDGETS[module_name][0 if quick else 1]


def cpu_seconds():
    """CPU seconds of this process and of the children it has waited for
    (not of services that outlive their starter, such as those
    tools/deploy-local.sh starts)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def select(names):
    if not names:
        return list(BENCHMARKS)
    chosen = []
    for name in names:
        module = name if name.startswith('bench_') else 'bench_' + name
        if module not in BENCHMARKS:
            raise SystemExit('unknown benchmark %r; known: %s' % (
                name, ', '.join(b[len('bench_'):] for b in BENCHMARKS)))
        chosen.append(module)
    return chosen


def write(result, seconds, quick, **extra):
    return common.write_result(result, quick=quick,
                               seconds=round(seconds, 1), **extra)


def _met(ratio):
    met = ratio.get('met')
    if met is None or ratio.get('target') in (None, '-', 'report'):
        return '-'
    return 'yes' if met else 'NO'


def timing(module_name, seconds, quick):
    share = budget(module_name, quick)
    return '(%.0f s; budget %d s%s)' % (
        seconds, share, ': OVER' if seconds > share else '')


def table(results, quick=False):
    lines = ['%-22s %-50s %10s  %-10s %4s' % (
        'benchmark', 'ratio', 'value', 'target', 'met')]
    for name, result, seconds in results:
        if result is None:
            lines.append('%-22s %-50s %10s  %-10s %4s' % (
                name[len('bench_'):][:22], 'FAILED to run (see above)',
                '-', '-', '-'))
            lines.append('%-22s %s' % ('', timing(name, seconds, quick)))
            continue
        for ratio in result['ratios']:
            value = ratio.get('value')
            lines.append('%-22s %-50s %10s  %-10s %4s' % (
                result['name'][:22], ratio['name'][:50],
                '-' if value is None else '%.3f' % value,
                str(ratio.get('target'))[:10], _met(ratio)))
        lines.append('%-22s %s' % ('', timing(name, seconds, quick)))
    return '\n'.join(lines)


def report(chosen):
    """The table of the committed results (benchmarks/results), each
    benchmark's commit, date and load average above its ratios; runs
    nothing. Returns 1 if a result is missing."""
    missing = False
    for module_name in chosen:
        name = module_name[len('bench_'):]
        path = os.path.join(common.RESULTS, '%s.json' % name)
        try:
            with open(path) as source:
                result = json.load(source)
        except FileNotFoundError:
            print('%s: no result (%s)' % (name, os.path.relpath(path)))
            missing = True
            continue
        print('%s: %s on %s, %s cores, load average %s%s' % (
            name, result.get('commit', '?')[:7], result.get('date', '?'),
            result.get('cores', '?'),
            ' '.join('%.1f' % x for x in result.get('load_average', [])),
            ' (--quick)' if result.get('quick') else ''))
        print(table([(module_name, result, result.get('seconds', 0.0))],
                    result.get('quick', False)))
        print()
    return 1 if missing else 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m benchmarks',
        description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='small sizes: every benchmark in a few '
                             'minutes in all')
    parser.add_argument('names', nargs='*',
                        help='benchmarks to run (default: all): %s'
                        % ', '.join(b[len('bench_'):] for b in BENCHMARKS))
    parser.add_argument('--report', action='store_true',
                        help='print the committed results '
                             '(benchmarks/results/*.json) as the table, '
                             'with their commit, date and load; run '
                             'nothing')
    args = parser.parse_args(argv)
    if args.report:
        return report(select(args.names))
    results = []
    failed = False
    chosen = select(args.names)
    start = time.perf_counter()
    print('%d cores, load average %s' % (
        os.cpu_count(), ' '.join('%.2f' % x for x in os.getloadavg())))
    for module_name in chosen:
        print('== %s%s' % (module_name, ' (quick)' if args.quick else ''),
              flush=True)
        began = time.perf_counter()
        cpu_began = cpu_seconds()
        try:
            module = importlib.import_module('benchmarks.' + module_name)
            result = module.run(args.quick)
        except Exception:
            traceback.print_exc()
            failed = True
            results.append((module_name, None, time.perf_counter() - began))
            continue
        seconds = time.perf_counter() - began
        cpu = cpu_seconds() - cpu_began
        path = write(result, seconds, args.quick,
                     budget_s=budget(module_name, args.quick),
                     runner_cpu_s=round(cpu, 1))
        for note in result.get('notes', []):
            print('   note: %s' % note)
        print('   %.0f s (budget %d s), %.0f CPU s in this process and '
              'the children it waited for; written to %s' % (
                  seconds, budget(module_name, args.quick), cpu,
                  os.path.relpath(path)), flush=True)
        results.append((module_name, result, seconds))
    if common._SHARED:
        began = time.perf_counter()
        common.stop_shared()
        print('== shared deployments stopped in %.0f s' % (
            time.perf_counter() - began), flush=True)
    print()
    print(table(results, args.quick))
    total = time.perf_counter() - start
    allowed = sum(budget(m, args.quick) for m in chosen)
    if len(chosen) == len(BENCHMARKS):
        allowed = SUITE_BUDGET[0 if args.quick else 1]
    print('%.0f s in all (budget %d s%s); %d cores, load average %s' % (
        total, allowed, ' for these' if len(chosen) < len(BENCHMARKS)
        else '', os.cpu_count(),
        ' '.join('%.2f' % x for x in os.getloadavg())))
    over = [m[len('bench_'):] for m, _r, secs in results
            if secs > budget(m, args.quick)]
    if total > allowed:
        print('WARNING: %s took %.0f s, over its budget of %d s%s; over '
              'their own budgets: %s (on a busy machine every figure is '
              'slower: see the load average)' % (
                  'python -m benchmarks' + (' --quick' if args.quick
                                            else ''),
                  total, allowed,
                  '' if len(chosen) == len(BENCHMARKS) else
                  ' (the sum of these benchmarks\' budgets)',
                  ', '.join(over) or 'none'), flush=True)
    elif over:
        print('warning: over their own budgets: %s' % ', '.join(over))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
