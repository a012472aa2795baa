"""Run every benchmark with its default sizes: ``python -m benchmarks``
(``--quick``: the ones that know it run at a small size)."""
import sys

from benchmarks import bench_data_copy
from benchmarks import bench_live_migrate_response
from benchmarks import bench_os_migrations_paging
from benchmarks import bench_pmem_resize
from benchmarks import bench_volume_progress

QUICK = '--quick' in sys.argv[1:]

for bench in (bench_live_migrate_response, bench_os_migrations_paging,
              bench_volume_progress):
    print('== %s' % bench.__name__)
    bench.main([])

print('== %s' % bench_data_copy.__name__)
bench_data_copy.main(['--quick'] if QUICK else [])

print('== %s' % bench_pmem_resize.__name__)
bench_pmem_resize.main(['--quick'] if QUICK else [])
