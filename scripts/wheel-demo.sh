#!/usr/bin/env bash
# The wheel is all a user needs: build it, install it ALONE into a fresh virtualenv (its dependencies from
# the registry, pinned by requirements/run.lock), and run `clo-xl demo` in an empty folder on the embedded
# PostgreSQL server. Run by `make wheel-demo` and by .ci/run after the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
python=${PYTHON:-python3}
work=$(mktemp -d -t clo-xl-wheel-XXXXXX)
venv="$work/venv"
cleanup() {
    if [[ -x "$venv/bin/clo-xl" ]]; then
        (cd "$work/empty" 2>/dev/null && "$venv/bin/clo-xl" -q db stop >/dev/null 2>&1) || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$repo/.venv/bin/python" -m build --wheel --outdir "$work/dist" "$repo" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; exit 1; }
wheel=$(ls "$work"/dist/clo_xl-*.whl)
echo "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -c "$repo/requirements/run.lock" "$wheel"

mkdir "$work/empty"
cd "$work/empty"
export CLO_XL_DATA_DIR="$work/data" CLO_XL_LOG_FILE="$work/clo-xl.jsonl"
unset CLO_XL_DATABASE_URL
time "$venv/bin/clo-xl" demo
test -s clo-xl-out/clo-xl-demo.html && test -s clo-xl-out/clo-xl-demo.xlsx
echo "outputs in an empty folder:" && ls clo-xl-out
echo "log records:" && cat "$CLO_XL_LOG_FILE"

# the speed cases ship in the wheel too (clo_xl.benchmarks): a light run, each case beside its numpy floor
"$venv/bin/clo-xl" bench --only compliance --case "200 assets" --repeat 3 --json > bench.json
"$venv/bin/clo-xl" bench --only cashflows --case "one deal" --repeat 3 --json > bench-cashflows.json
"$venv/bin/python" - bench.json bench-cashflows.json <<'PY'
import json, sys
for path in sys.argv[1:]:
    doc = json.load(open(path))
    assert doc["results"], f"{path}: no bench results"
    for r in doc["results"]:
        assert r["floor_median_s"], f"{r['case']}: no floor"
        print(f"bench from the wheel: {r['case']}: {r['median_s'] * 1000:.2f} ms, {r['ratio']:.2f}x its floor")
PY
