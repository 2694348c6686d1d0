import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agreementProblems } from './support/agreement';
import { AWS_US_EAST_1_PRICES, computeCost, connectionGraph, footprintOf, mermaidDiagram } from '../lib';
import { money } from '../lib/planning/capacity/format';
import { runExample } from './support/examples';
import { synthApp } from './support/synth';

const ROOT = join(__dirname, '..');

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  test('opens with the install-and-synth command and the test command', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toContain('npm install && npm run synth');
    expect(firstBlock).toContain('npm test');
  });

  test("gives each profile's totals as the synthesized output has them", () => {
    const GIB = 2 ** 30;
    const round = (n: number) => Number(n.toFixed(2)).toString();
    const rows = [
      ['dev', 'platform-dev', ''],
      ['production', 'platform', ' (default)'],
    ].map(([profile, app, note]) => {
      const f = footprintOf(synthApp(app).manifests);
      return `| \`${profile}\`${note} | \`${app}\` | ${f.pods} | ${round(f.cpu)} | ${round(f.memoryBytes / GIB)} GiB | ${round(f.storageBytes / GIB)} GiB |`;
    });
    const table = readme.split('\n').filter((line) => /^\| `(dev|production)`/.test(line));
    expect(table).toEqual(rows);
  });

  test("gives the default profiles' monthly cost at the default prices, as the synthesized output has them", () => {
    const rows = [
      ['platform-dev', 'dev', ''],
      ['platform', 'production', ' (default)'],
    ].map(([app, profile, note]) => {
      const cost = computeCost(footprintOf(synthApp(app).manifests), AWS_US_EAST_1_PRICES);
      const usd = (n: number) => money(n, AWS_US_EAST_1_PRICES.currency);
      return `| \`${app}\` | \`${profile}\`${note} | ${usd(cost.cpu + cost.memory)} | ${usd(cost.volumes)} | ${usd(cost.total)} |`;
    });
    expect(readme.split('\n').filter((line) => /^\| `platform(-dev)?` \| `(dev|production)`/.test(line))).toEqual(rows);
  });

  test('draws the default platform as its output wires it', () => {
    const drawn = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(drawn).toBe(mermaidDiagram(connectionGraph(synthApp('platform').manifests)));
  });

  test('names only files and folders a clone has', () => {
    const linked = [...readme.matchAll(/\]\((?!https?:|#)([^)]+)\)/g)].map((m) => m[1]);
    const mentioned = [...readme.matchAll(/`((?:\.\.\/|lib\/|apps\/|scripts\/|test\/|examples\/|bench\/|imports\/|docs\/)[\w./-]*)`/g)].map((m) => m[1]);
    expect([...linked, ...mentioned].filter((path) => !existsSync(join(ROOT, path.split(' ')[0])))).toEqual([]);
    expect(mentioned.length).toBeGreaterThan(5);
  });

  test('its examples are the files in examples/, which `npm run typecheck` compiles', () => {
    const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(examples).toEqual(
      ['my-app.ts', 'metrics-app.ts', 'vm-app.ts', 'traces-app.ts', 'aws-app.ts', 'plan-app.ts'].map((f) => readFileSync(join(ROOT, 'examples', f), 'utf8')),
    );
  });

  test('the example runs and emits a Loki cluster', () => {
    const { objects, logged } = runExample('my-app');
    expect(
      objects
        .filter((o) => o.kind === 'StatefulSet')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['loki-backend', 'loki-write', 'seaweedfs-server']);
    expect(logged).toEqual(['push logs to http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push with header X-Scope-OrgID']);
    // The namespaces it admits reach the gateway's pods, on their port, and nothing else of Loki.
    const admitting = objects.filter(
      (o) => o.kind === 'NetworkPolicy' && JSON.stringify(o.spec.ingress ?? []).includes('"kubernetes.io/metadata.name":"shop"'),
    );
    expect(admitting.map((o) => o.metadata.name)).toEqual(['loki-gateway']);
  });

  test('the metrics example runs and wires an agent to Thanos', () => {
    const { objects, logged } = runExample('metrics-app');
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-agent-config').data['prometheus.yaml'];
    expect(config).toContain('url: http://thanos-receive.metrics.svc.cluster.local:19291/api/v1/receive');
    expect(config).toContain('THANOS-TENANT: team-a');
    expect(logged).toEqual(['Grafana datasource: http://thanos-query-frontend.metrics.svc.cluster.local:10902']);
  });

  test('the VictoriaMetrics example runs and wires an agent pair to vminsert as tenant 1', () => {
    const { objects, logged } = runExample('vm-app');
    const agent = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'vm-vmagent');
    expect(agent.spec.replicas).toBe(2);
    expect(agent.spec.template.spec.containers[0].args).toContain(
      '-remoteWrite.url=http://vm-vminsert.metrics.svc.cluster.local:8480/insert/1/prometheus/api/v1/write',
    );
    expect(logged).toEqual(['Grafana datasource: http://vm-vmselect.metrics.svc.cluster.local:8481/select/1/prometheus']);
  });

  test('the traces example runs: OTLP gateway → Tempo, span metrics → Thanos, Grafana linked by uid', () => {
    const { objects, logged } = runExample('traces-app');
    expect(logged).toEqual(['OTLP endpoint for applications: otel-gateway.obs.svc.cluster.local:4317']);
    const tempo = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'tempo-config').data['tempo.yaml'];
    expect(tempo).toContain('url: http://thanos-receive.obs.svc.cluster.local:19291/api/v1/receive');
    expect(tempo).toContain('zipkin:');
    const datasources = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'grafana-provisioning').data['datasources.yaml'];
    expect(datasources).toContain('datasourceUid: tempo');
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).not.toContain('grafana-admin');
  });

  test('the capacity example runs: the planned spec synthesizes as it is, with no warning, to the pods the plan counts', () => {
    const { objects, logged } = runExample('plan-app');
    const pods = footprintOf(objects).pods;
    expect(logged).toEqual([expect.stringMatching(new RegExp(`^${pods} pods, \\d+ USD a month$`))]);
    expect(objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'thanos-receive').spec.replicas).toBe(3);
  });

  test('the AWS example runs and both outputs agree: buckets, Pod Identity associations, no MinIO', () => {
    const { objects, stacks } = runExample('aws-app');
    expect(Object.keys(stacks)).toEqual(['storage']);
    expect(agreementProblems(objects, stacks.storage)).toEqual([]);
    expect(objects.filter((o) => o.metadata.name.startsWith('minio'))).toEqual([]);
    const associations = Object.values(stacks.storage.resource.aws_eks_pod_identity_association).map((a: any) => a.service_account);
    expect(associations).toContain('loki');
    const chunksRules = Object.values(stacks.storage.resource.aws_s3_bucket_lifecycle_configuration)
      .flatMap((l: any) => l.rule)
      .filter((r: any) => r.expiration?.[0]?.days);
    expect(chunksRules.map((r: any) => `${r.filter[0].prefix}:${r.expiration[0].days}`)).toEqual(['fake/:40']);
  });
});
