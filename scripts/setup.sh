#!/usr/bin/env bash
# One-time, idempotent set-up for the rehearsal, the tests and the benchmark:
# npm packages from the lock file and a project-local Python venv carrying moto (our local AWS).
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_REQUIREMENT='moto[server]==5.2.1'

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

fresh_venv=0
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv for moto"
  python3 -m venv --system-site-packages .venv
  fresh_venv=1
fi

# A venv made with --system-site-packages finds an already-installed moto offline;
# on a machine without it, pip downloads it.
if [ "$fresh_venv" = 1 ] || ! .venv/bin/python -c 'import moto, flask, flask_cors, cfnlint, sys; sys.exit(0 if moto.__version__ == "5.2.1" else 1)' 2>/dev/null; then
  echo "setup: installing ${MOTO_REQUIREMENT} into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "${MOTO_REQUIREMENT}" cfn-lint
fi
