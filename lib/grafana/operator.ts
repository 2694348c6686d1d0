import { Construct } from 'constructs';
import { Grafana as GrafanaResource } from '../../imports/grafana-grafana.integreatly.org';
import { GrafanaDashboard } from '../../imports/grafana-dashboard-grafana.integreatly.org';
import { GrafanaDatasource } from '../../imports/grafana-datasource-grafana.integreatly.org';
import { GrafanaFolder } from '../../imports/grafana-folder-grafana.integreatly.org';
import { ComponentIdentity } from '../core/names';
import { DatasourceDefinition } from '../core/grafana-provisioning';

/** A dashboard already rendered into a ConfigMap, which the operator reads. */
export interface OperatorDashboardRef {
  readonly uid: string;
  readonly folder: string;
  readonly configMap: string;
  readonly key: string;
}

/** Props of the grafana-operator resources: a Grafana, its datasources and dashboards as custom resources. */
export interface GrafanaOperatorResourcesProps {
  readonly identity: ComponentIdentity;
  /** The Grafana the operator manages through its API. */
  readonly url: string;
  readonly adminSecret: { readonly name: string; readonly userKey: string; readonly passwordKey: string };
  readonly datasources: readonly DatasourceDefinition[];
  readonly dashboards: readonly OperatorDashboardRef[];
  /**
   * Grafana's certificate Secret, when the platform's CA signs what it serves or calls: the
   * operator trusts its `ca.crt` for Grafana's API, and datasources of platform backends get it
   * as their CA. @default none
   */
  readonly certificateSecret?: string;
}

/**
 * The same datasources and dashboards as grafana-operator (v5) resources. The library's Grafana
 * Deployment stays the Grafana; an `external` Grafana resource hands it to the operator with the
 * admin login, and every other resource selects that one by its labels. Dashboards are read from
 * the ConfigMaps the construct already renders, so the JSON exists once.
 */
export class GrafanaOperatorResources extends Construct {
  readonly grafana: GrafanaResource;
  readonly datasources: readonly GrafanaDatasource[];
  readonly dashboards: readonly GrafanaDashboard[];
  readonly folders: readonly GrafanaFolder[];

  constructor(scope: Construct, id: string, props: GrafanaOperatorResourcesProps) {
    super(scope, id);
    const { identity } = props;
    const metadata = (name: string) => ({ name, namespace: identity.namespace, labels: identity.labels });
    const instanceSelector = { matchLabels: identity.selector };

    this.grafana = new GrafanaResource(this, 'Grafana', {
      metadata: metadata(identity.instance),
      spec: {
        external: {
          url: props.url,
          adminUser: { name: props.adminSecret.name, key: props.adminSecret.userKey },
          adminPassword: { name: props.adminSecret.name, key: props.adminSecret.passwordKey },
        },
        ...(props.certificateSecret ? { client: { tls: { certSecretRef: { name: props.certificateSecret, namespace: identity.namespace } } } } : {}),
      },
    });
    this.datasources = props.datasources.map((d) => {
      // The operator replaces `${<key>}` with the Secret key named in valuesFrom: the password stays in the Secret, the CA is read from Grafana's.
      const password = d.basicAuth ? { basicAuthPassword: `\${${d.basicAuth.passwordSecret.key}}` } : {};
      const ca = d.platformCa ? { tlsCACert: '${ca.crt}' } : {};
      const valuesFrom = [
        ...(d.basicAuth
          ? [
              {
                targetPath: 'secureJsonData.basicAuthPassword',
                valueFrom: { secretKeyRef: { name: d.basicAuth.passwordSecret.name, key: d.basicAuth.passwordSecret.key } },
              },
            ]
          : []),
        ...(d.platformCa ? [{ targetPath: 'secureJsonData.tlsCACert', valueFrom: { secretKeyRef: { name: props.certificateSecret!, key: 'ca.crt' } } }] : []),
      ];
      const secureJsonData = d.basicAuth || d.platformCa ? { ...d.secureJsonData, ...password, ...ca } : d.secureJsonData;
      return new GrafanaDatasource(this, `Datasource-${d.uid}`, {
        metadata: metadata(`${identity.instance}-${d.uid}`),
        spec: {
          instanceSelector,
          uid: d.uid,
          datasource: {
            name: d.name,
            type: d.type,
            uid: d.uid,
            url: d.url,
            access: 'proxy',
            isDefault: d.isDefault ?? false,
            editable: false,
            jsonData: d.platformCa ? { ...d.jsonData, tlsAuthWithCACert: true } : d.jsonData,
            ...(d.basicAuth ? { basicAuth: true, basicAuthUser: d.basicAuth.username } : {}),
            secureJsonData,
          },
          ...(valuesFrom.length > 0 ? { valuesFrom } : {}),
        },
      });
    });
    const folderNames = [...new Set(props.dashboards.map((d) => d.folder))].sort();
    this.folders = folderNames.map(
      (folder) =>
        new GrafanaFolder(this, `Folder-${folder}`, {
          metadata: metadata(`${identity.instance}-${folder}`),
          spec: { instanceSelector, title: folder },
        }),
    );
    this.dashboards = props.dashboards.map(
      (d) =>
        new GrafanaDashboard(this, `Dashboard-${d.uid}`, {
          metadata: metadata(`${identity.instance}-${d.uid}`),
          spec: {
            instanceSelector,
            uid: d.uid,
            folderRef: `${identity.instance}-${d.folder}`,
            configMapRef: { name: d.configMap, key: d.key },
          },
        }),
    );
  }
}
