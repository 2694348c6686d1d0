// Extracts the validation schema of each CRD the library emits objects of, for the schema test.
// Input: the CRD files (the same ones scripts/import-crds.sh reads). Output: JSON keyed by
// "<group>/<version>/<Kind>" holding each served version's openAPIV3Schema, unchanged.
//   node scripts/extract-crd-schemas.mjs <crds-dir> test/fixtures/crd-schemas.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: extract-crd-schemas.mjs <crds-dir> <out.json>');
  process.exit(2);
}
const files = [
  'prometheus-operator/monitoring.coreos.com_servicemonitors.yaml',
  'grafana-operator/grafana.integreatly.org_grafanas.yaml',
  'grafana-operator/grafana.integreatly.org_grafanadatasources.yaml',
  'grafana-operator/grafana.integreatly.org_grafanadashboards.yaml',
  'grafana-operator/grafana.integreatly.org_grafanafolders.yaml',
  'cert-manager/cert-manager.io_certificates.yaml',
];
const schemas = {};
for (const file of files) {
  const crd = parse(readFileSync(join(dir, file), 'utf8'));
  for (const version of crd.spec.versions.filter((v) => v.served)) {
    schemas[`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`] = version.schema.openAPIV3Schema;
  }
}
writeFileSync(out, JSON.stringify(schemas) + '\n');
console.log(Object.keys(schemas).join('\n'));
