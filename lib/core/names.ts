/** Label keys from the Kubernetes recommended-labels convention. */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  version: 'app.kubernetes.io/version',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** The value of `app.kubernetes.io/managed-by` on everything this library emits. */
export const MANAGED_BY = 'obs-platform-constructs';

/** The default value of `app.kubernetes.io/part-of`. */
export const DEFAULT_PART_OF = 'observability-platform';

/** Prefix of the library's own labels and annotations. */
export const OWN_PREFIX = 'obs-platform.io';

/** The cluster DNS domain where neither a component nor its chart sets one. */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** The suffix of a component's headless Service, which lists every pod (SRV records, StatefulSet pod names). */
export const HEADLESS_SUFFIX = '-headless';

/** Where a component runs and how it is labelled. Shared by every object of one component. */
export interface ComponentIdentityProps {
  /** The application, e.g. `loki`, `minio` (label `app.kubernetes.io/name`). */
  readonly app: string;
  /** The user's instance name, e.g. `loki` or `logs` (label `app.kubernetes.io/instance`). */
  readonly instance: string;
  /** The role inside the application, e.g. `write`, `gateway` (label `app.kubernetes.io/component`). */
  readonly component: string;
  /** The Kubernetes namespace every object goes into. */
  readonly namespace: string;
  /** Version label, normally the image tag. */
  readonly version: string;
  /** Label `app.kubernetes.io/part-of`. @default "observability-platform" */
  readonly partOf?: string;
  /** The cluster DNS domain its addresses end in. @default "cluster.local" */
  readonly clusterDomain?: string;
  /**
   * Name its objects `<instance>` alone, as one-program components (Alertmanager, node-exporter,
   * the Pushgateway) are known by the name users gave, not `<instance>-<component>`.
   * @default false
   */
  readonly namedByInstance?: boolean;
}

/**
 * The identity of one component: its stable name and its labels.
 *
 * Names are `<instance>-<component>` and never depend on the construct tree, so a refactor of
 * the user's code does not rename anything. Selectors use only name, instance and component,
 * which never change across upgrades (selectors are immutable on Deployments and StatefulSets).
 */
export class ComponentIdentity {
  readonly app: string;
  readonly instance: string;
  readonly component: string;
  readonly namespace: string;
  readonly version: string;
  readonly partOf: string;
  readonly clusterDomain: string;
  readonly namedByInstance: boolean;

  constructor(props: ComponentIdentityProps) {
    this.app = props.app;
    this.instance = props.instance;
    this.component = props.component;
    this.namespace = props.namespace;
    this.version = props.version;
    this.partOf = props.partOf ?? DEFAULT_PART_OF;
    this.clusterDomain = props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
    this.namedByInstance = props.namedByInstance ?? false;
  }

  /** `<instance>-<component>` (or `<instance>` when named by instance): the workload and its main Service. */
  get name(): string {
    return this.namedByInstance ? this.instance : `${this.instance}-${this.component}`;
  }

  /** `<instance>-<component>-headless`, the Service that lists every pod. */
  get headlessName(): string {
    return `${this.name}${HEADLESS_SUFFIX}`;
  }

  /** The in-cluster DNS name of a Service of this component's namespace: by default its main Service. */
  host(serviceName: string = this.name): string {
    return this.serviceHost(serviceName);
  }

  /** The in-cluster DNS name of the headless Service. */
  get headlessHost(): string {
    return this.host(this.headlessName);
  }

  /** The labels that select this component's pods. Stable across upgrades. */
  get selector(): Record<string, string> {
    return {
      [LABELS.name]: this.app,
      [LABELS.instance]: this.instance,
      [LABELS.component]: this.component,
    };
  }

  /** Every standard label, for metadata and pod templates. */
  get labels(): Record<string, string> {
    return {
      ...this.selector,
      [LABELS.partOf]: this.partOf,
      [LABELS.version]: this.version,
      [LABELS.managedBy]: MANAGED_BY,
    };
  }

  /** The same instance and app, another component (e.g. the gateway of a Loki cluster). */
  sibling(component: string, version = this.version): ComponentIdentity {
    return new ComponentIdentity({ ...this, component, version, namedByInstance: false });
  }

  /**
   * The label of this instance's gossip ring (`memberlist.cluster_label`): members drop every
   * message of another label, so two installs, or Loki and Tempo, that reach each other's gossip
   * port never merge their rings.
   */
  get gossipClusterLabel(): string {
    return `${this.app}.${this.namespace}.${this.instance}`;
  }

  /** The in-cluster DNS name of a Service in this component's namespace, under another domain than its own. */
  serviceHost(serviceName: string, clusterDomain: string = this.clusterDomain): string {
    return `${serviceName}.${this.namespace}.svc.${clusterDomain}`;
  }
}
