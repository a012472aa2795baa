"""Run every benchmark with its default sizes: ``python -m benchmarks``."""
from benchmarks import bench_live_migrate_response
from benchmarks import bench_os_migrations_paging

for bench in (bench_live_migrate_response, bench_os_migrations_paging):
    print('== %s' % bench.__name__)
    bench.main([])
