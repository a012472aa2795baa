#!/usr/bin/env python3
"""Write the OpenAPI 3.1 descriptions of the compute and block storage
APIs to doc/api/ (compute.json, block-storage.json), generated from the
route tables and request schemas (migrator.api.openapi).

    tools/generate-openapi.py           # rewrite doc/api/*.json
    tools/generate-openapi.py --check   # exit 1 if they are out of date

Run it after changing a route or a schema; the unit test
migrator.tests.unit.test_openapi fails until the files are regenerated.
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from migrator.api import openapi  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='Compare instead of writing; exit 1 when a '
                             'file is out of date.')
    args = parser.parse_args(argv)
    stale = []
    for name, filename in openapi.FILES.items():
        path = os.path.join(ROOT, 'doc', 'api', filename)
        text = openapi.render(name)
        try:
            with open(path) as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == text:
            continue
        if args.check:
            stale.append(path)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)
        print('wrote %s' % os.path.relpath(path, ROOT))
    if stale:
        print('out of date (run tools/generate-openapi.py): %s'
              % ', '.join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
