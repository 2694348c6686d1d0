#!/usr/bin/env bash
# Regenerates the typed CRD bindings in imports/ with `cdk8s import` (offline: local CRD files).
# The CRD files are not part of this repository; point CRDS_DIR at a copy of them (see
# imports/README.md for where each comes from). The generated files are committed, so nobody
# needs the CRDs or this script to build or use the library.
#   CRDS_DIR=../shared/crds bash scripts/import-crds.sh
# cert-manager/ holds the CRDs of the cert-manager Go module (Apache-2.0) as released, from the
# module cache: go mod download github.com/cert-manager/cert-manager@v1.21.2, then deploy/crds/.
set -euo pipefail
crds="$(realpath "${CRDS_DIR:?set CRDS_DIR to the folder holding prometheus-operator/, grafana-operator/ and cert-manager/}")"
cd "$(dirname "$0")/.."
rm -f imports/*.ts

# prefix:=file gives one output file per CRD, so kinds of one API group do not overwrite each other.
while read -r prefix file; do
  npx cdk8s import --no-save --output imports --language typescript "${prefix}:=${crds}/${file}" >/dev/null 2>&1 \
    || { echo "import of ${file} failed" >&2; exit 1; }
  test -s "imports/${prefix}-"*.ts
done <<'LIST'
servicemonitor prometheus-operator/monitoring.coreos.com_servicemonitors.yaml
grafana grafana-operator/grafana.integreatly.org_grafanas.yaml
grafana-datasource grafana-operator/grafana.integreatly.org_grafanadatasources.yaml
grafana-dashboard grafana-operator/grafana.integreatly.org_grafanadashboards.yaml
grafana-folder grafana-operator/grafana.integreatly.org_grafanafolders.yaml
certificate cert-manager/cert-manager.io_certificates.yaml
LIST
ls imports/*.ts
