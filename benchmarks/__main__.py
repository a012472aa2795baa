"""Run the benchmarks: ``python -m benchmarks [--quick] [names...]``.

Each benchmark module exposes ``run(quick) -> {"name", "figures",
"ratios": [{"name", "value", "target", "met"}], "notes"}``. The runner
calls them one after the other (all of them, or the names given: a
module name with or without its ``bench_`` prefix, or a result name),
writes ``benchmarks/results/<name>.json`` with the commit, the date, the
machine's cores and its load average, and prints one table with every
ratio beside its target. ``--quick`` runs each at a small size (the whole
suite in under 5 minutes); without it, the sizes of issue 14 (under 30).

The machine is shared: absolute times are noisy, the ratios (each
measured side by side in one run) are what to compare. Exits 1 when a
benchmark failed to run; a missed target is reported, not an error.
"""
import argparse
import importlib
import os
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


def write(result, seconds, quick):
    return common.write_result(result, quick=quick,
                               seconds=round(seconds, 1))


def _met(ratio):
    met = ratio.get('met')
    if met is None or ratio.get('target') in (None, '-', 'report'):
        return '-'
    return 'yes' if met else 'NO'


def table(results):
    lines = ['%-22s %-50s %10s  %-10s %4s' % (
        'benchmark', 'ratio', 'value', 'target', 'met')]
    for name, result, seconds in results:
        if result is None:
            lines.append('%-22s %-50s %10s  %-10s %4s' % (
                name, 'FAILED to run (see above)', '-', '-', '-'))
            continue
        for ratio in result['ratios']:
            value = ratio.get('value')
            lines.append('%-22s %-50s %10s  %-10s %4s' % (
                result['name'][:22], ratio['name'][:50],
                '-' if value is None else '%.3f' % value,
                str(ratio.get('target'))[:10], _met(ratio)))
        lines.append('%-22s %-50s %10s' % (
            '', '(%.0f s)' % seconds, ''))
    return '\n'.join(lines)


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
    args = parser.parse_args(argv)
    results = []
    failed = False
    start = time.perf_counter()
    print('%d cores, load average %s' % (
        os.cpu_count(), ' '.join('%.2f' % x for x in os.getloadavg())))
    for module_name in select(args.names):
        print('== %s%s' % (module_name, ' (quick)' if args.quick else ''),
              flush=True)
        began = time.perf_counter()
        try:
            module = importlib.import_module('benchmarks.' + module_name)
            result = module.run(args.quick)
        except Exception:
            traceback.print_exc()
            failed = True
            results.append((module_name, None, time.perf_counter() - began))
            continue
        seconds = time.perf_counter() - began
        path = write(result, seconds, args.quick)
        for note in result.get('notes', []):
            print('   note: %s' % note)
        print('   %.0f s, written to %s' % (seconds, os.path.relpath(path)),
              flush=True)
        results.append((module_name, result, seconds))
    print()
    print(table(results))
    print('%.0f s in all; %d cores, load average %s' % (
        time.perf_counter() - start, os.cpu_count(),
        ' '.join('%.2f' % x for x in os.getloadavg())))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
