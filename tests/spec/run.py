#!/usr/bin/python3
"""Run scenario files: run.py [unittest options, e.g. -k keepalive] [NN_name.py ...]

With no file, runs every NN_*.py here. The files' names start with digits (numbered by
feature, like mosquitto's test tree), so they are loaded by path rather than imported.
Target and binary come from the environment: EDGEGW_SPEC_TARGET=edgegw|mosquitto,
EDGEGW_BIN=path/to/edgegw. Exit status 0 when nothing failed (skips are fine).
"""
import glob
import importlib.util
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def load(path):
    name = 'spec_' + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    files = [a for a in argv if a.endswith('.py')]
    options = [a for a in argv if not a.endswith('.py')]
    if not files:
        files = sorted(glob.glob(os.path.join(HERE, '[0-9][0-9]_*.py')))
    loader = unittest.TestLoader()
    patterns = [options[i + 1] for i, a in enumerate(options) if a == '-k']
    if patterns:
        loader.testNamePatterns = ['*%s*' % p if '*' not in p else p for p in patterns]
    failfast = '-f' in options
    suite = unittest.TestSuite(loader.loadTestsFromModule(load(f)) for f in files)
    from harness import TARGET
    sys.stderr.write('spec target: %s\n' % TARGET)
    result = unittest.TextTestRunner(verbosity=2, failfast=failfast).run(suite)
    if result.skipped:
        sys.stderr.write('skipped %d:\n' % len(result.skipped))
        for test, reason in result.skipped:
            sys.stderr.write('  %s: %s\n' % (test.id().split('.', 1)[1], reason))
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
