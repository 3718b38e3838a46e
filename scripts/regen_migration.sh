#!/usr/bin/env bash
# Regenerate the single initial Alembic revision from the models (only while nothing has been
# released: once a revision has landed, add new revisions with `flask db migrate` instead).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CASEWORK_ENV=development DATABASE_URL="sqlite:///$tmp/empty.db" CASEWORK_ROOT_KEY="$(python3 -c 'import base64,os;print(base64.b64encode(os.urandom(32)).decode())')"
# Generate into a scratch copy first, so a broken import never leaves migrations/ empty.
cp -r migrations "$tmp/migrations"
rm -f "$tmp/migrations/versions/"*.py
.venv/bin/flask --app wsgi db migrate --directory "$tmp/migrations" --rev-id 0001 \
  -m "initial schema" >/dev/null 2>&1
rm -f migrations/versions/*.py
cp "$tmp/migrations/versions/"*.py migrations/versions/
ls migrations/versions/
