import { SERVING_CERT_FILE, SERVING_KEY_FILE, ServingCertificate, entryPort, ownCertificate, servingTlsOf } from '../core/serving-tls';
import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { checkWorkloadOptions } from '../core/check-options';
import { ConfigFile, renderYaml } from '../core/config-file';
import { GeneratedSecret } from '../core/generated-secret';
import { GrafanaOidc, checkOidc, oidcEnv, oidcIni } from './oidc';
import { Validator } from '../core/errors';
import { declareExternal } from '../core/external';
import { IMAGES, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { httpProbe } from '../core/pod';
import { dnsLabel, httpUrl, namespaceName, volumeSize } from '../core/rules';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { DashboardDefinition, dashboardJson } from './dashboards';
import { DATASOURCE_UIDS, DatasourceDefinition } from '../core/grafana-provisioning';
import { datasourcePasswordEnv, datasourcesFile, linkProblems } from '../core/grafana-datasources';
import { basicAuthPasswordEnv, credentialNamespaceRule } from '../core/basic-auth';
import { jobsSelectedBy } from '../core/promql-jobs';
import { Wiring } from '../core/wiring';
import { BASE_INI, GrafanaIni, mergeIni, renderIni } from './ini';
import { GrafanaOperatorResources } from './operator';
import { clusterDomainOf } from '../core/cluster-domain';

/** uid and gid of the Grafana image. */
const GRAFANA_UID = 472;
const PORT = 3000;

/** Grafana serving HTTPS from its mounted certificate, which it reads again when cert-manager renews it. */
const HTTPS_INI = {
  server: { protocol: 'https', cert_file: SERVING_CERT_FILE, cert_key: SERVING_KEY_FILE, certs_watch_interval: '1h', min_tls_version: 'TLS1.2' },
};
const DATA_DIR = '/var/lib/grafana';
const PROVISIONING_DIR = '/etc/grafana/provisioning';
const DASHBOARDS_DIR = '/var/lib/grafana-dashboards';

/** An existing Secret with the admin login. */
export interface GrafanaAdminSecret {
  readonly name: string;
  /** @default "admin-user" */
  readonly userKey?: string;
  /** @default "admin-password" */
  readonly passwordKey?: string;
}

/** Props of {@link Grafana}. */
export interface GrafanaProps extends WorkloadOptions {
  readonly namespace: string;
  /** Instance name: the Deployment, Service and ConfigMap prefix. @default "grafana" */
  readonly name?: string;
  /** Datasources to provision. Their links must name provisioned uids. */
  readonly datasources: readonly DatasourceDefinition[];
  /** Dashboards to provision. @default none */
  readonly dashboards?: readonly DashboardDefinition[];
  /**
   * The admin login, from a Secret you create (keys `admin-user`, `admin-password`).
   * @default user `admin` and a random password, made in the cluster by a Job when the Secret `<name>-admin` is missing (never in the output)
   */
  readonly adminSecret?: GrafanaAdminSecret;
  /** grafana.ini sections merged over the library's defaults. @default none */
  readonly ini?: GrafanaIni;
  /** Log in through an OpenID Connect provider; the client secret stays in your Secret. @default the login form only */
  readonly oidc?: GrafanaOidc;
  /**
   * Pods. More than one needs a shared MySQL or PostgreSQL in `ini.database`: SQLite is per pod,
   * and replicas on it silently diverge.
   * @default 1
   */
  readonly replicas?: number;
  /** A volume for /var/lib/grafana (SQLite, plugins), kept across restarts. @default an emptyDir: everything comes from provisioning */
  readonly persistence?: { readonly size: string; readonly storageClass?: string };
  /**
   * How datasources and dashboards reach Grafana: `files` (provisioning files mounted in the pod)
   * or `operator` (grafana-operator resources that select this Grafana through an external
   * Grafana resource; the operator must be installed).
   * @default "files"
   */
  readonly delivery?: 'files' | 'operator';
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * Grafana as a Deployment: datasources and dashboards provisioned from files (or through
 * grafana-operator), the admin login from a Secret, a read-only root filesystem.
 */
export class Grafana extends Construct {
  readonly name: string;
  readonly namespace: string;
  /** `http://<service>.<ns>.svc.<domain>`, the in-cluster URL (port 80). */
  readonly url: string;
  readonly datasources: readonly DatasourceDefinition[];
  readonly dashboards: readonly DashboardDefinition[];
  readonly workload: Workload;
  readonly service: k8s.KubeService;
  readonly config: ConfigFile;
  /** The provisioning files (datasources, dashboard provider), when delivered as files. */
  readonly provisioning?: ConfigFile;
  /** One ConfigMap per dashboard folder, each file one dashboard. */
  readonly dashboardFiles: readonly ConfigFile[];
  /** Name of the Secret with the admin login. */
  readonly adminSecretName: string;
  /** The Job that makes the admin Secret in the cluster, unless `adminSecret` was given. */
  readonly adminSecretGenerator?: GeneratedSecret;
  /** The grafana-operator resources, when delivered through the operator. */
  readonly operator?: GrafanaOperatorResources;
  readonly scrapeTarget: ScrapeTarget;
  readonly identity: ComponentIdentity;
  private readonly resolved: ResolvedGrafana;
  /** Its certificate: served with serving TLS on, and its ca.crt trusted for platform backends. */
  private readonly certificate?: ServingCertificate;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    validateGrafana(this, props, props.name ?? 'grafana');
    const r = (this.resolved = resolveGrafana(this, props));
    const { domain, delivery, admin } = r;
    this.name = r.name;
    this.namespace = props.namespace;
    this.datasources = props.datasources;
    this.dashboards = r.dashboards;
    this.identity = r.identity;
    this.recordDashboardReads();
    this.recordDatasourceClients();

    this.adminSecretName = admin.secretName;
    if (props.oidc) {
      declareExternal(this, {
        kind: 'Secret',
        namespace: this.namespace,
        name: props.oidc.clientSecret.name,
        purpose: `the OIDC client secret of Grafana (key ${props.oidc.clientSecret.key})`,
      });
    }
    if (admin.given) {
      declareExternal(this, {
        kind: 'Secret',
        namespace: this.namespace,
        name: admin.secretName,
        purpose: `Grafana admin login (keys ${admin.userKey}, ${admin.passwordKey})`,
      });
    } else {
      this.adminSecretGenerator = new GeneratedSecret(this, 'AdminSecret', {
        identity: this.identity,
        name: this.adminSecretName,
        values: { [admin.userKey]: { fixed: 'admin' }, [admin.passwordKey]: { randomBytes: 24 } },
        note: 'Grafana admin login made in the cluster by the library; give adminSecret (or OIDC) to bring your own',
        scheduling: props.scheduling,
      });
    }

    const serving = servingTlsOf(this);
    const headlessName = `${this.name}-headless`;
    this.certificate = ownCertificate(
      this,
      this.identity,
      { names: [this.name], headless: [headlessName] },
      props.datasources.map((d, i) => ({ property: `datasources[${i}].url`, value: d.url, platformCa: d.platformCa })),
    );
    this.config = new ConfigFile(this, 'Config', {
      identity: this.identity,
      name: `${this.name}-config`,
      files: { 'grafana.ini': renderIni(mergeIni(BASE_INI, serving && HTTPS_INI, props.oidc && oidcIni(props.oidc), props.ini)) },
    });
    const folders = [...new Set(this.dashboards.map((d) => d.folder))].sort();
    this.dashboardFiles = folders.map(
      (folder) =>
        new ConfigFile(this, `Dashboards-${folder}`, {
          identity: this.identity,
          name: this.dashboardsConfigMap(folder),
          files: Object.fromEntries(
            this.dashboards.filter((d) => d.folder === folder).map((d) => [`${d.uid}.json`, JSON.stringify(dashboardJson(d), null, 1)]),
          ),
        }),
    );
    if (delivery === 'files') {
      this.provisioning = new ConfigFile(this, 'Provisioning', {
        identity: this.identity,
        name: `${this.name}-provisioning`,
        files: {
          'datasources.yaml': renderYaml(datasourcesFile(this.datasources)),
          'dashboards.yaml': renderYaml(this.dashboardProviders(folders)),
        },
      });
    }

    // HTTPS on the usual port of HTTPS, so the URL needs none.
    this.service = createService(this, 'Service', {
      identity: this.identity,
      name: this.name,
      ports: [{ ...entryPort(serving !== undefined), targetPort: 'grafana' }],
    });
    const headless = createService(this, 'HeadlessService', {
      identity: this.identity,
      name: headlessName,
      headless: true,
      ports: [{ name: 'grafana', port: PORT }],
    });
    createServiceAccount(this, 'ServiceAccount', this.identity, this.name);
    this.workload = this.emitDeployment(props, folders);
    this.url = `${serving ? 'https' : 'http'}://${this.identity.serviceHost(this.name, domain)}`;
    this.scrapeTarget = srvScrapeTarget(this.name, 'grafana', this.identity.serviceHost(headless.metadata.name!, domain), undefined, {
      https: serving ? { certificateSecret: this.certificate!.secretName } : undefined,
    });
    if (delivery === 'operator') {
      this.operator = new GrafanaOperatorResources(this, 'Operator', {
        identity: this.identity,
        url: this.url,
        adminSecret: { name: admin.secretName, userKey: admin.userKey, passwordKey: admin.passwordKey },
        datasources: this.datasources,
        certificateSecret: this.certificate?.secretName,
        dashboards: this.dashboards.map((d) => ({ uid: d.uid, folder: d.folder, configMap: this.dashboardsConfigMap(d.folder), key: `${d.uid}.json` })),
      });
    }
  }

  /** Each datasource calls its URL: one behind a guarded endpoint must carry credentials. */
  private recordDatasourceClients(): void {
    const wiring = Wiring.of(this);
    this.datasources.forEach((d) =>
      wiring.connects({ path: this.node.path, property: `datasources[${d.uid}]`, url: d.url, sendsCredentials: d.basicAuth !== undefined }),
    );
  }

  /** Each dashboard selects jobs from its datasource's store: the app must scrape them into it. */
  private recordDashboardReads(): void {
    const wiring = Wiring.of(this);
    this.dashboards.forEach((d) => {
      const source = this.datasources.find((ds) => ds.uid === (d.datasourceUid ?? DATASOURCE_UIDS.metrics));
      const jobs = [...new Set(d.panels.flatMap((p) => p.queries.flatMap((q) => jobsSelectedBy(q.expr))))];
      if (!source || source.type !== 'prometheus' || jobs.length === 0) return;
      wiring.reads({
        path: this.node.path,
        property: `dashboards[${d.uid}]`,
        source: source.url,
        jobs,
        what: `the dashboard "${d.title}"`,
        consequence: 'its panels would stay empty',
      });
    });
  }

  /** The ConfigMap of one dashboard folder: mounted by the file provider, or read by the operator. */
  private dashboardsConfigMap(folder: string): string {
    return `${this.name}-dashboards-${folder}`;
  }

  /** One file provider per folder, reading the mounted dashboard ConfigMap of that folder. */
  private dashboardProviders(folders: readonly string[]): Record<string, unknown> {
    return {
      apiVersion: 1,
      providers: folders.map((folder) => ({
        name: folder,
        orgId: 1,
        type: 'file',
        folder,
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: `${DASHBOARDS_DIR}/${folder}` },
      })),
    };
  }

  private emitDeployment(props: GrafanaProps, folders: readonly string[]): Workload {
    const { replicas, image, admin, defaultResources } = this.resolved;
    const secretRef = (key: string) => ({ secretKeyRef: { name: this.adminSecretName, key } });
    const volumes: k8s.Volume[] = [
      this.config.volume('config'),
      props.persistence ? { name: 'data', persistentVolumeClaim: { claimName: `${this.name}-data` } } : { name: 'data', emptyDir: {} },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'config', mountPath: '/etc/grafana/grafana.ini', subPath: 'grafana.ini', readOnly: true },
      { name: 'data', mountPath: DATA_DIR },
    ];
    if (this.provisioning) {
      volumes.push({
        name: 'provisioning',
        configMap: {
          name: this.provisioning.name,
          items: [
            { key: 'datasources.yaml', path: 'datasources/platform.yaml' },
            { key: 'dashboards.yaml', path: 'dashboards/platform.yaml' },
          ],
        },
      });
      mounts.push({ name: 'provisioning', mountPath: PROVISIONING_DIR, readOnly: true });
      this.dashboardFiles.forEach((file, i) => {
        volumes.push(file.volume(`dashboards-${i}`));
        mounts.push({ name: `dashboards-${i}`, mountPath: `${DASHBOARDS_DIR}/${folders[i]}`, readOnly: true });
      });
    }
    if (this.certificate) {
      volumes.push(this.certificate.volume);
      mounts.push(this.certificate.mount);
    }
    const scheme = servingTlsOf(this) ? 'HTTPS' : 'HTTP';
    if (props.persistence) this.emitClaim(props.persistence);
    return new Workload(this, 'Deployment', {
      kind: 'Deployment',
      // Plugin catalogs, OAuth / OIDC providers and alert contact points are HTTPS services outside the cluster.
      outsidePorts: [443],
      identity: this.identity,
      replicas,
      podIdentity: { runAsUser: GRAFANA_UID, runAsGroup: GRAFANA_UID, fsGroup: GRAFANA_UID },
      serviceAccountName: this.name,
      // Provisioned files are read by the pod: their change must roll it. The operator pushes its own.
      configChecksums: [this.config.checksum, ...(this.provisioning ? [this.provisioning.checksum, ...this.dashboardFiles.map((f) => f.checksum)] : [])],
      ...podOptions(props),
      volumes,
      // A volume of one pod cannot be attached to a surge pod on another node: the old pod goes
      // first. Not `Recreate`: a server-side apply (Flux, Argo CD, kubectl --server-side) cannot
      // turn an existing RollingUpdate Deployment into one (the server keeps its defaulted
      // rollingUpdate block, and refuses the pair), which would refuse every upgrade that adds the volume.
      strategy: props.persistence
        ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) } }
        : undefined,
      containers: [
        withOptions(props, {
          name: 'grafana',
          image,
          env: [
            { name: 'GF_SECURITY_ADMIN_USER', valueFrom: secretRef(admin.userKey) },
            { name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: secretRef(admin.passwordKey) },
            { name: 'GF_PATHS_DATA', value: DATA_DIR },
            { name: 'GF_PATHS_PROVISIONING', value: PROVISIONING_DIR },
            ...(props.oidc ? oidcEnv(props.oidc) : []),
            // Provisioned datasources read their basic-auth passwords from here; the operator substitutes its own.
            ...(this.provisioning
              ? this.datasources.filter((d) => d.basicAuth).map((d) => basicAuthPasswordEnv(datasourcePasswordEnv(d.uid), d.basicAuth!))
              : []),
          ],
          ports: [{ name: 'grafana', containerPort: PORT }],
          volumeMounts: mounts,
          readinessProbe: httpProbe('/api/health', 'grafana', { initialDelaySeconds: 5, scheme }),
          livenessProbe: httpProbe('/api/health', 'grafana', { initialDelaySeconds: 60, timeoutSeconds: 30, failureThreshold: 10, scheme }),
          defaultResources,
        }),
      ],
    });
  }

  private emitClaim(persistence: NonNullable<GrafanaProps['persistence']>): void {
    new k8s.KubePersistentVolumeClaim(this, 'Data', {
      metadata: { name: `${this.name}-data`, namespace: this.namespace, labels: this.identity.labels },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: persistence.storageClass,
        resources: { requests: { storage: k8s.Quantity.fromString(persistence.size) } },
      },
    });
  }
}

/** Every prop of a Grafana with its default filled in. */
type ResolvedGrafana = ReturnType<typeof resolveGrafana>;

/** Fills in every default, in one place. */
function resolveGrafana(scope: Construct, props: GrafanaProps) {
  const name = props.name ?? 'grafana';
  const image = props.image ?? IMAGES.grafana;
  return {
    name,
    image,
    identity: new ComponentIdentity({ app: 'grafana', instance: name, component: 'server', namespace: props.namespace, version: imageVersion(image) }),
    domain: clusterDomainOf(scope, props.clusterDomain),
    delivery: props.delivery ?? 'files',
    replicas: props.replicas ?? 1,
    dashboards: props.dashboards ?? [],
    admin: {
      secretName: props.adminSecret?.name ?? `${name}-admin`,
      userKey: props.adminSecret?.userKey ?? 'admin-user',
      passwordKey: props.adminSecret?.passwordKey ?? 'admin-password',
      given: props.adminSecret !== undefined,
    },
    defaultResources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
  };
}

function validateGrafana(scope: Construct, props: GrafanaProps, name: string): void {
  const v = new Validator(scope);
  v.apply('namespace', props.namespace, namespaceName(props.namespace));
  v.apply('name', name, dnsLabel(name, 40));
  checkWorkloadOptions(v, '', props, IMAGES.grafana);
  if (props.oidc) checkOidc(v, props.oidc);
  if (
    !v.check(
      Array.isArray(props.datasources),
      'datasources',
      props.datasources,
      'is required',
      'give the datasources to provision, e.g. [metricsDatasource({ url: thanos.queryUrl })]',
    )
  ) {
    v.throwIfAny();
  }
  const uids = props.datasources.map((d) => d.uid);
  props.datasources.forEach((d) => {
    v.apply(`datasources[${d.uid}].url`, d.url, httpUrl(d.url));
    v.apply(`datasources[${d.uid}].basicAuth`, d.basicAuth?.passwordSecret.name, credentialNamespaceRule(d.basicAuth, props.namespace));
  });
  for (const uid of new Set(uids.filter((u, i) => uids.indexOf(u) !== i)))
    v.check(false, 'datasources', uid, 'has this uid twice; links and dashboards would reach only one of them', 'give each datasource its own uid');
  for (const problem of linkProblems(props.datasources)) {
    v.check(
      false,
      'datasources',
      problem,
      'links to a datasource uid that is not provisioned, so the link would open an error',
      `provision a datasource with that uid, or drop the link (provisioned: ${uids.join(', ') || 'none'})`,
    );
  }
  v.check(
    props.datasources.filter((d) => d.isDefault).length <= 1,
    'datasources',
    props.datasources
      .filter((d) => d.isDefault)
      .map((d) => d.uid)
      .join(', '),
    'has more than one default datasource',
    'mark one datasource isDefault',
  );
  const dashboardUids = (props.dashboards ?? []).map((d) => d.uid);
  for (const uid of new Set(dashboardUids.filter((u, i) => dashboardUids.indexOf(u) !== i)))
    v.check(false, 'dashboards', uid, 'has this uid twice', 'give each dashboard its own uid');
  for (const d of props.dashboards ?? []) {
    v.check(
      /^[a-z0-9][a-z0-9-]{0,38}$/.test(d.folder),
      `dashboards[${d.uid}].folder`,
      d.folder,
      'is not a folder name the library can use as a ConfigMap and directory name',
      'use lower-case letters, digits and "-"',
    );
    v.check(
      /^[A-Za-z0-9_-]{1,40}$/.test(d.uid),
      `dashboards[${d.uid}].uid`,
      d.uid,
      'is not a Grafana dashboard uid (1-40 letters, digits, "-", "_")',
      'shorten it or drop other characters',
    );
    v.check(
      uids.includes(d.datasourceUid ?? 'metrics'),
      `dashboards[${d.uid}].datasourceUid`,
      d.datasourceUid ?? 'metrics',
      'is not a provisioned datasource, so every panel would show an error',
      `use one of: ${uids.join(', ')}`,
    );
  }
  const replicas = props.replicas ?? 1;
  const dbType = String(props.ini?.database?.type ?? 'sqlite3');
  v.check(
    ['sqlite3', 'mysql', 'postgres'].includes(dbType),
    'ini.database.type',
    dbType,
    'is not a database Grafana supports, and Grafana would not start',
    'use "sqlite3" (one replica), "mysql" or "postgres"',
  );
  v.check(
    replicas <= 1 || ['mysql', 'postgres'].includes(dbType),
    'replicas',
    replicas,
    'is more than 1 on SQLite, which is per pod: logins, alert state and edits would differ between pods',
    'keep replicas: 1, or set ini.database (type mysql or postgres, with host, name, user) for a shared database',
  );
  v.check(
    !(replicas > 1 && props.persistence),
    'persistence',
    props.persistence?.size,
    'is one ReadWriteOnce volume, which several replicas cannot share',
    'keep replicas: 1 with persistence, or use a shared database without it',
  );
  if (props.persistence) v.apply('persistence.size', props.persistence.size, volumeSize(props.persistence.size));
  if (props.delivery !== undefined)
    v.check(['files', 'operator'].includes(props.delivery), 'delivery', props.delivery, 'is not a delivery the library knows', 'set "files" or "operator"');
  v.throwIfAny();
}
