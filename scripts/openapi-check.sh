#!/usr/bin/env bash
# Validates the receiver's OpenAPI 3.1 description with two independent validators from npm,
# and fails if either refuses it:
#
# * @seriousme/openapi-schema-validator (`validate-api`): the document against the official
#   OpenAPI 3.1 JSON Schema;
# * @redocly/cli (`redocly lint`, its recommended rules): references resolve, paths and
#   operation ids are unique, security is defined, servers are given, ... (warnings are
#   printed, errors fail). `operation-4xx-response` is skipped: the probes and the metrics
#   have no client error to answer.
#
# The document checked is receiver/openapi.json, the committed copy that
# tests/suite/openapi.rs keeps equal to what `GET /openapi.json` serves (`.ci/run` runs the
# tests first; after a change, `UPDATE_OPENAPI=1 cargo test -p nectar-receiver --test suite
# openapi` rewrites it). A broken copy of it is checked too, and must be refused: a
# validator that lets anything through would fail this script.
#
#   bash scripts/openapi-check.sh [DOCUMENT]     # node_modules in <cargo's target dir>/openapi-check/
set -euo pipefail
cd "$(dirname "$0")/.."
document="${1:-receiver/openapi.json}"
source scripts/tools.sh
out=$(work_dir openapi-check)
# Both run on Node 20 (the machine's).
npm_ensure "$out" @seriousme/openapi-schema-validator@2.11.0 @redocly/cli@2.77.0
validate_api="$out/node_modules/.bin/validate-api"
redocly="$out/node_modules/.bin/redocly"

# The official 3.1 schema; exit 0 only for {"valid": true} (it may print false and exit 0).
schema_valid() {
  local answer
  answer=$("$validate_api" "$1" 2>&1) || { echo "$answer"; return 1; }
  printf '%s' "$answer" | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin).get("valid") is True else 1)' ||
    { echo "$answer"; return 1; }
}

# Redocly's recommended rules; warnings are printed, errors fail.
lints() {
  REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$redocly" lint "$1" --skip-rule operation-4xx-response --format stylish 2>&1 |
    grep -v -e '^ *[║╔╚]' -e 'Node.js' || true
  REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$redocly" lint "$1" --skip-rule operation-4xx-response > /dev/null 2>&1
}

echo "validating $document (OpenAPI $(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["openapi"])' "$document"))"
schema_valid "$document" || { echo "$document does not match the OpenAPI 3.1 schema" >&2; exit 1; }
lints "$document" || { echo "redocly lint found errors in $document" >&2; exit 1; }

# The negative controls: a parameter in a place 3.1 does not have, and a reference to a
# schema that does not exist. Each validator must refuse each.
for flaw in location reference; do
  broken="$out/broken-$flaw.json"
  python3 - "$document" "$broken" "$flaw" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
if sys.argv[3] == "location":
    doc["paths"]["/connections"]["get"]["parameters"][0]["in"] = "body"
else:
    doc["components"]["schemas"]["Worklist"]["properties"]["next"] = {"$ref": "#/components/schemas/Nowhere"}
json.dump(doc, open(sys.argv[2], "w"), indent=2)
EOF
  if schema_valid "$broken" > "$out/broken-$flaw.log" 2>&1; then
    echo "validate-api accepted a broken document ($broken)" >&2
    exit 1
  fi
  if lints "$broken" >> "$out/broken-$flaw.log" 2>&1; then
    echo "redocly lint accepted a broken document ($broken)" >&2
    exit 1
  fi
done
echo "ok: $document is valid, and broken copies are refused by both validators"
