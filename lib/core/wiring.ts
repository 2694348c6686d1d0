import { IConstruct } from 'constructs';
import { registerAppCheck } from './app-checks';
import { ValidationProblem } from './errors';
import { ScrapeTarget } from './scrape-target';

/** A program that remote-writes to a URL, and how its pods differ. */
export interface WriteConnection {
  /** Construct path of the writer. */
  readonly path: string;
  /** The writer's property that names the target, e.g. `remoteWrite[0]`. */
  readonly property: string;
  readonly url: string;
  /** Pods that each send every series. */
  readonly replicas: number;
  /** External labels whose value differs between those pods. */
  readonly replicaLabels: readonly string[];
}

/** A scraper: the jobs it scrapes, and the keys (URLs, StoreAPI addresses) its data lands at. */
export interface ScrapeRecord {
  readonly path: string;
  readonly jobs: readonly string[];
  readonly into: readonly string[];
  /** The targets it finds by SRV record, checked to be headless Services (every pod a record). @default none */
  readonly targets?: readonly ScrapeTarget[];
}

/** A Service the app emits, whether it is headless, and its ports as synthesized. */
export interface ServiceRecord {
  readonly namespace: string;
  readonly name: string;
  readonly headless: boolean;
  readonly ports: ReadonlyArray<{ readonly name: string; readonly port: number; readonly protocol: string; readonly targetPort: string | number }>;
  /** The pod labels it selects. @default none (a Service without a selector) */
  readonly selector?: Readonly<Record<string, string>>;
  /** `ClusterIP` or `LoadBalancer`. @default "ClusterIP" */
  readonly type?: string;
  /** Its annotations. @default none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Something that selects scrape jobs (a rule file, a dashboard) from data read at `source`. */
export interface JobReader {
  readonly path: string;
  /** e.g. `dashboards[platform-thanos]` or `ruleGroups`. */
  readonly property: string;
  readonly source: string;
  readonly jobs: readonly string[];
  /** What reads, for messages: `the dashboard "Platform / Thanos"`. */
  readonly what: string;
  /** What goes wrong without the data, for messages: `its panels would stay empty`. */
  readonly consequence: string;
}

/** An HTTP entry point that refuses requests without credentials. */
export interface GuardedEndpoint {
  readonly path: string;
  /** Every URL under this prefix is behind the guard. */
  readonly urlPrefix: string;
  /** What guards it and where its credentials come from, for messages. */
  readonly what: string;
  /** How a client gets credentials, for messages. */
  readonly fix: string;
}

/** A client of an HTTP endpoint, and whether it sends credentials. */
export interface ClientConnection {
  readonly path: string;
  readonly property: string;
  readonly url: string;
  readonly sendsCredentials: boolean;
}

const graphs = new WeakMap<IConstruct, Wiring>();

/**
 * What the components of one app said about how they are wired: who writes where, which data can
 * be read at which address, who scrapes which jobs into where, who reads which jobs from where,
 * which endpoints need credentials and who calls them. Components record this as they are built;
 * the checks run on the whole graph at synth, so the order constructs are made in does not matter.
 */
export class Wiring {
  /** The graph of the app `scope` belongs to. */
  static of(scope: IConstruct): Wiring {
    const root = scope.node.root;
    let graph = graphs.get(root);
    if (!graph) {
      graph = new Wiring();
      graphs.set(root, graph);
      const created = graph;
      registerAppCheck(root, 'wiring', () => created.problems());
    }
    return graph;
  }

  private readonly writeList: WriteConnection[] = [];
  private readonly flows = new Map<string, Set<string>>();
  private readonly scrapeList: ScrapeRecord[] = [];
  private readonly readerList: JobReader[] = [];
  private readonly guarded: GuardedEndpoint[] = [];
  private readonly clients: ClientConnection[] = [];
  private readonly services: ServiceRecord[] = [];

  private constructor() {}

  /** Records a remote-write connection. */
  writes(connection: WriteConnection): void {
    this.writeList.push(connection);
  }

  /** Data that arrives at `from` (a write URL, a StoreAPI) can be read at `to` (a query URL). */
  flow(from: string, to: string): void {
    const targets = this.flows.get(from) ?? new Set<string>();
    targets.add(to);
    this.flows.set(from, targets);
  }

  scrapes(record: ScrapeRecord): void {
    this.scrapeList.push(record);
  }

  reads(reader: JobReader): void {
    this.readerList.push(reader);
  }

  guards(endpoint: GuardedEndpoint): void {
    this.guarded.push(endpoint);
  }

  connects(client: ClientConnection): void {
    this.clients.push(client);
  }

  /** Records a Service the app emits. */
  servesService(service: ServiceRecord): void {
    this.services.push(service);
  }

  /** The Service the library emitted under this name, if it did. */
  emittedService(namespace: string | undefined, name: string): ServiceRecord | undefined {
    return this.services.find((s) => s.namespace === namespace && s.name === name);
  }

  /** Every writer to any of `urls`. */
  writersTo(urls: readonly string[]): WriteConnection[] {
    return this.writeList.filter((w) => urls.includes(w.url));
  }

  /** Every key whose data can be read at `key`, itself included. */
  private sourcesOf(key: string): Set<string> {
    const reverse = new Map<string, string[]>();
    for (const [from, tos] of this.flows) for (const to of tos) reverse.set(to, [...(reverse.get(to) ?? []), from]);
    const seen = new Set<string>([key]);
    const queue = [key];
    while (queue.length > 0) {
      for (const from of reverse.get(queue.shift()!) ?? []) {
        if (!seen.has(from)) {
          seen.add(from);
          queue.push(from);
        }
      }
    }
    return seen;
  }

  /**
   * The jobs scraped into anything readable at `key`, or undefined when no scraper of the app
   * feeds it (then it is fed from outside the app, and nothing can be said about its jobs).
   */
  jobsReadableAt(key: string): Set<string> | undefined {
    const sources = this.sourcesOf(key);
    const scrapes = this.scrapeList.filter((s) => s.into.some((k) => sources.has(k)));
    return scrapes.length > 0 ? new Set(scrapes.flatMap((s) => s.jobs)) : undefined;
  }

  private problems(): ValidationProblem[] {
    return [...this.readerProblems(), ...this.credentialProblems(), ...this.scrapeTargetProblems()];
  }

  /**
   * A target found by SRV record must be a headless Service: the SRV record of a ClusterIP Service
   * is the one virtual address, so every scrape lands on some pod, and counters jump between pods.
   */
  private scrapeTargetProblems(): ValidationProblem[] {
    return this.scrapeList.flatMap((record) =>
      (record.targets ?? []).flatMap((target) => {
        const svc = target.service;
        if (!svc) return [];
        const emitted = this.emittedService(svc.namespace, svc.name);
        const clusterDns = !emitted && svc.namespace === 'kube-system' && svc.name === 'kube-dns';
        if (!(emitted && !emitted.headless) && !clusterDns) return [];
        return [
          {
            path: record.path,
            property: 'scrapeTargets',
            value: target.srvRecord,
            problem: `${clusterDns ? "is the cluster DNS's ClusterIP Service" : 'is a ClusterIP Service'}, whose SRV record is one virtual address: each scrape of job "${target.job}" lands on a random pod, and its counters jump between pods`,
            fix: clusterDns
              ? 'scrape CoreDNS through new CoreDnsMetrics(chart, ...).scrapeTarget, a headless Service that lists every CoreDNS pod'
              : `scrape its headless twin (clusterIP: None), which lists every pod`,
          },
        ];
      }),
    );
  }

  private readerProblems(): ValidationProblem[] {
    return this.readerList.flatMap((reader) => {
      const readable = this.jobsReadableAt(reader.source);
      if (!readable) return [];
      const missing = reader.jobs.filter((j) => !readable.has(j));
      if (missing.length === 0) return [];
      const have = [...readable].sort();
      return [
        {
          path: reader.path,
          property: reader.property,
          value: missing,
          problem:
            `${missing.length === 1 ? 'is a job' : 'are jobs'} selected by ${reader.what}, but nothing scrapes ${missing.length === 1 ? 'it' : 'them'} into ${reader.source}` +
            ` (the jobs that reach it: ${have.join(', ')}): ${reader.consequence}`,
          fix: 'have the collector that feeds this store scrape those components (pass their scrapeTargets), or read from a store that has them',
        },
      ];
    });
  }

  private credentialProblems(): ValidationProblem[] {
    return this.clients.flatMap((client) => {
      const endpoint = this.guarded.find((e) => client.url.startsWith(e.urlPrefix));
      if (!endpoint || client.sendsCredentials) return [];
      return [
        {
          path: client.path,
          property: client.property,
          value: client.url,
          problem: `goes to ${endpoint.what} (${endpoint.path}), and sends no credentials: every request would be refused with 401`,
          fix: endpoint.fix,
        },
      ];
    });
  }
}
