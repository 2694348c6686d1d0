import { DatasourceContext, DatasourceProvider, DashboardProvider, dashboardsOf, datasourcesOf } from '../../lib';

/** A provider that records the context it was given and returns one datasource named after itself. */
function provider(datasourceKind: string, signal: DatasourceProvider['signal']): DatasourceProvider & { seen?: DatasourceContext } {
  const p: DatasourceProvider & { seen?: DatasourceContext } = {
    datasourceKind,
    signal,
    datasources(context) {
      p.seen = context;
      return [{ name: datasourceKind, type: datasourceKind, uid: datasourceKind, url: `http://${datasourceKind}` }];
    },
  };
  return p;
}

describe('datasources and dashboards come from the components that offer them', () => {
  test('metrics first whatever the component order; links only to a signal that has a datasource', () => {
    const logs = provider('loki', 'logs');
    const traces = provider('tempo', 'traces');
    const metrics = provider('thanos', 'metrics');
    const out = datasourcesOf([logs, traces, metrics, { not: 'a provider' }], { kinds: ['loki', 'thanos'], scrapeInterval: '15s', tenant: 'a' });
    expect(out.map((d) => d.name)).toEqual(['thanos', 'loki']);
    // Tempo is not wanted: nothing links to traces, and Tempo is not asked.
    expect(logs.seen).toEqual({ links: { metricsUid: 'metrics', logsUid: 'loki', tracesUid: undefined }, scrapeInterval: '15s', tenant: 'a' });
    expect(traces.seen).toBeUndefined();
  });

  test('dashboards in component order, from dashboard providers only', () => {
    const a: DashboardProvider = { dashboards: () => [{ uid: 'a', title: 'A', folder: 'f', panels: [] }] };
    const b: DashboardProvider = { dashboards: () => [{ uid: 'b', title: 'B', folder: 'f', panels: [] }] };
    expect(dashboardsOf([b, provider('loki', 'logs'), a]).map((d) => d.uid)).toEqual(['b', 'a']);
  });
});
