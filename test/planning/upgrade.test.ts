import { ChangeClass, ManifestObject, PlannedChange, blocksApply, planUpgrade, upgradeReportMarkdown } from '../../lib/planning/upgrade';
import { upgradeFixtures } from '../support/upgrade-fixtures';

/** What each fixture pair must be classified as, and the words of its explanation and its fix. */
const EXPECTED: Record<string, { class: ChangeClass; object: string; change: RegExp; why: RegExp; step?: RegExp }> = {
  'refused-volume-size': {
    class: 'refused',
    object: 'StatefulSet/vm-vmstorage',
    change: /spec\.volumeClaimTemplates .*10Gi.*→.*20Gi/,
    why: /cannot be updated/,
    step: /--cascade=orphan/,
  },
  'refused-selector': {
    class: 'refused',
    object: 'Deployment/grafana-server',
    change: /spec\.selector/,
    why: /selector cannot be updated/,
    step: /old ReplicaSet/,
  },
  'refused-job-template': {
    class: 'refused',
    object: 'Job/make-buckets',
    change: /spec\.template changed/,
    why: /cannot be updated/,
    step: /kubectl delete job make-buckets/,
  },
  'refused-headless-service': {
    class: 'refused',
    object: 'Service/loki-memberlist',
    change: /clusterIP \(unset\) → None/,
    why: /cannot become headless/,
    step: /kubectl delete service/,
  },
  'refused-claim-shrunk': { class: 'refused', object: 'PersistentVolumeClaim/grafana-data', change: /10Gi → 5Gi/, why: /never shrink/, step: /keep 10Gi/ },
  'risk-store-scaled-down': {
    class: 'data-at-risk',
    object: 'StatefulSet/vm-vmstorage',
    change: /spec\.replicas 3 → 2/,
    why: /pods 2\.\.2 go/,
    step: /vmstorage never moves data/,
  },
  'risk-retention-shortened': {
    class: 'data-at-risk',
    object: 'StatefulSet/thanos-compactor',
    change: /retention\.resolution-raw.*90d → 30d/,
    why: /older than 30d is deleted/,
    step: /copy it out first/,
  },
  'risk-replication-factor': {
    class: 'data-at-risk',
    object: 'StatefulSet/thanos-receive',
    change: /receive\.replication-factor.*3 → 2/,
    why: /number of copies/,
    step: /second cluster/,
  },
  'risk-bucket-changed': {
    class: 'data-at-risk',
    object: 'ConfigMap/tempo-config',
    change: /bucket tempo-traces → traces/,
    why: /starts empty/,
    step: /rclone copy/,
  },
  'risk-loki-schema-edited': {
    class: 'data-at-risk',
    object: 'ConfigMap/loki-config',
    change: /schema_config\.configs/,
    why: /period 0 \(from 2023-01-01\) was edited/,
    step: /append the new schema/,
  },
  'risk-claims-deleted-on-scale-down': {
    class: 'data-at-risk',
    object: 'StatefulSet/loki-write',
    change: /whenScaled Retain → Delete/,
    why: /deleted when it scales down/,
    step: /keep whenScaled: Retain/,
  },
  'disruptive-vm-upgrade': {
    class: 'disruptive',
    object: 'StatefulSet/vm-vmstorage',
    change: /image .*v1\.150\.0-cluster → .*v1\.151\.0-cluster/,
    why: /pods restart/,
  },
  'safe-label-and-new-service': { class: 'safe', object: 'Service/grafana', change: /created/, why: /new/ },
};

const refOf = (c: PlannedChange) => `${c.object.kind}/${c.object.name}`;
const worst = ['refused', 'data-at-risk', 'disruptive', 'safe'];

describe.each(upgradeFixtures())('fixture $name: $shows', ({ name, before, after }) => {
  const expected = EXPECTED[name];
  const plan = planUpgrade(before, after);

  test('has an expectation (every committed pair is checked)', () => {
    expect(expected).toBeDefined();
  });

  test(`is classified as ${expected?.class}, its worst change, with why and the steps that make it safe`, () => {
    const found = plan.changes.find((c) => refOf(c) === expected.object && c.class === expected.class && expected.change.test(c.change));
    expect({ found: found && { class: found.class, change: found.change } }).toEqual({
      found: { class: expected.class, change: expect.stringMatching(expected.change) },
    });
    expect(found!.why).toMatch(expected.why);
    if (expected.step) expect(found!.steps?.join('\n')).toMatch(expected.step);
    else expect(found!.class === 'safe' || found!.class === 'disruptive').toBe(true);
    // Nothing in the pair is worse than the class it shows.
    const worstFound = Math.min(...plan.changes.map((c) => worst.indexOf(c.class)));
    expect(worst[worstFound]).toBe(expected.class);
  });

  test('blocks an apply exactly when something is refused or at risk, and the report says so', () => {
    expect(blocksApply(plan)).toBe(expected.class === 'refused' || expected.class === 'data-at-risk');
    const report = upgradeReportMarkdown(name, plan);
    expect(report).toContain(expected.object.split('/')[1]);
    if (expected.step) expect(report).toMatch(expected.step);
  });
});

describe('the reverse of each pair', () => {
  const reverse = (name: string) => {
    const f = upgradeFixtures().find((x) => x.name === name)!;
    return planUpgrade(f.after, f.before);
  };
  const classes = (name: string) => [...new Set(reverse(name).changes.map((c) => c.class))].sort();

  test('a store scaled up, a retention lengthened, claims retained again: nothing at risk', () => {
    for (const name of ['risk-store-scaled-down', 'risk-retention-shortened', 'risk-claims-deleted-on-scale-down'])
      expect({ name, atRisk: reverse(name).changes.filter((c) => c.class === 'data-at-risk') }).toEqual({ name, atRisk: [] });
  });

  test('a grown claim template is still refused: the field is immutable either way', () => {
    expect(classes('refused-volume-size')).toContain('refused');
  });

  test('a claim that grows is allowed (the storage class permitting)', () => {
    expect(reverse('refused-claim-shrunk').changes.map((c) => c.class)).toEqual(['safe']);
  });
});

describe('the rollout order', () => {
  const f = upgradeFixtures().find((x) => x.name === 'disruptive-vm-upgrade')!;
  const plan = planUpgrade(f.before, f.after);

  test('restarts vmstorage before vminsert, and vminsert before vmselect, one step each', () => {
    expect(plan.rollout.map((s) => s.workloads.map((w) => w.name))).toEqual([['vm-vmstorage'], ['vm-vminsert'], ['vm-vmselect']]);
  });

  test('gives each step the label selector that applies only its workload', () => {
    expect(plan.rollout[0].selectors).toEqual(['app.kubernetes.io/name=victoria-metrics,app.kubernetes.io/instance=vm,app.kubernetes.io/component=vmstorage']);
  });

  test('holds only what restarts: an unchanged output has no change and no step', () => {
    const same = planUpgrade(f.after, f.after);
    expect(same).toEqual({ changes: [], rollout: [] });
  });
});

describe("Loki's schema", () => {
  const schema = (configs: object[]): ManifestObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'loki-config', namespace: 'o' },
    data: { 'config.yaml': JSON.stringify({ schema_config: { configs } }) },
  });
  const v12 = { from: '2023-01-01', store: 'tsdb', object_store: 's3', schema: 'v12', index: { prefix: 'index_', period: '24h' } };

  test('a period appended after the existing ones is safe', () => {
    const plan = planUpgrade([schema([v12])], [schema([v12, { ...v12, from: '2027-01-01', schema: 'v13' }])]);
    expect(plan.changes.map((c) => c.class)).toEqual(['safe']);
  });

  test('a period removed is data at risk', () => {
    const plan = planUpgrade([schema([v12, { ...v12, from: '2024-01-01' }])], [schema([v12])]);
    expect(plan.changes.map((c) => [c.class, c.why.includes('removed')])).toEqual([['data-at-risk', true]]);
  });
});

describe('object locations', () => {
  const loki = (s3: object): ManifestObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'loki-config', namespace: 'o' },
    data: { 'config.yaml': JSON.stringify({ storage_config: { object_store: { s3 } } }) },
  });

  test('the same bucket and endpoint under renamed keys is no move', () => {
    const before = loki({ bucketnames: 'loki-chunks', endpoint: 'http://seaweedfs.o.svc:8333' });
    const after = loki({ bucket_name: 'loki-chunks', endpoint: 'seaweedfs.o.svc:8333' });
    expect(planUpgrade([before], [after]).changes.map((c) => c.class)).toEqual(['safe']);
  });

  test('a new endpoint (another embedded store) is data at risk, naming both', () => {
    const before = loki({ bucket_name: 'loki-chunks', endpoint: 'minio.o.svc:9000' });
    const after = loki({ bucket_name: 'loki-chunks', endpoint: 'seaweedfs.o.svc:8333' });
    const [change] = planUpgrade([before], [after]).changes;
    expect([change.class, change.change]).toEqual(['data-at-risk', 'config.yaml: object store endpoint minio.o.svc:9000 → seaweedfs.o.svc:8333']);
  });

  test('an OTLP exporter endpoint is not an object store', () => {
    const otel = (endpoint: string): ManifestObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'otel', namespace: 'o' },
      data: { 'config.yaml': JSON.stringify({ exporters: { otlp: { endpoint } } }) },
    });
    expect(planUpgrade([otel('tempo:4317')], [otel('jaeger:4317')]).changes.map((c) => c.class)).toEqual(['safe']);
  });
});

describe('a headless Service given an address by leaving clusterIP out', () => {
  const service = (clusterIP?: string): ManifestObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'loki-memberlist', namespace: 'o' },
    spec: { ...(clusterIP ? { clusterIP } : {}), ports: [{ port: 7946 }] },
  });

  test('is refused, saying that a server-side apply would leave it headless in silence', () => {
    const [change] = planUpgrade([service('None')], [service()]).changes;
    expect([change.class, change.change, change.why]).toEqual([
      'refused',
      'spec.clusterIP None → (unset)',
      expect.stringContaining('server-side apply accepts it but leaves the Service headless'),
    ]);
  });

  test('an allocated address left out of the output is no change of the Service', () => {
    expect(planUpgrade([service('10.96.0.10')], [service()]).changes.map((c) => c.class)).toEqual(['safe']);
  });
});

describe('an image', () => {
  const deployment = (image: string): ManifestObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'otel-gateway', namespace: 'o' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'otel', image }] } } },
  });

  test('moved to an older tag is called a downgrade; a newer one is not', () => {
    const [down] = planUpgrade([deployment('otel/contrib:0.159.0')], [deployment('otel/contrib:0.158.0')]).changes;
    const [up] = planUpgrade([deployment('otel/contrib:0.158.0')], [deployment('otel/contrib:0.159.0')]).changes;
    expect([down.class, down.change, up.change]).toEqual(['disruptive', expect.stringContaining('(a downgrade'), expect.not.stringContaining('downgrade')]);
  });
});

describe('a store rolled out several pods at a time', () => {
  test('says so, since a ring with a replication factor of 3 tolerates one member down', () => {
    const f = upgradeFixtures().find((x) => x.name === 'disruptive-vm-upgrade')!;
    const twoAtOnce = (objects: ManifestObject[]) =>
      objects.map((o) =>
        o.kind === 'StatefulSet'
          ? { ...o, spec: { ...(o.spec as object), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } } }
          : o,
      );
    const change = planUpgrade(twoAtOnce(f.before), twoAtOnce(f.after)).changes.find((c) => c.object.name === 'vm-vmstorage')!;
    expect([change.class, change.why]).toEqual(['disruptive', expect.stringContaining('replaced 2 at a time')]);
    expect(change.why).toContain('set it to 1');
  });
});

describe('a namespace no longer in the output', () => {
  test('is data at risk: a prune would delete all it holds', () => {
    const namespace: ManifestObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'observability' } };
    const [change] = planUpgrade([namespace], []).changes;
    expect([change.class, change.change, change.why]).toEqual(['data-at-risk', 'removed', expect.stringContaining('everything in it')]);
  });
});
