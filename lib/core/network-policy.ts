/**
 * NetworkPolicies, on by default: each namespace the library makes denies everything, and each
 * workload admits exactly the paths the app's configs take (see {@link networkPaths}), the
 * cluster's DNS, the API server for pods that mount a token, and the clients the user admits.
 * The rules are worked out at synth, once every construct exists; a check then reads the emitted
 * policies as the API server applies them and refuses the synth if any path would be dropped.
 */
import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AppObjects } from './as-built';
import { registerAppCheck } from './app-checks';
import { clusterDomainOf } from './cluster-domain';
import { guardNameCollisions } from './collisions';
import { serviceReferences } from './connections';
import { ValidationProblem, Validator } from './errors';
import { externalReferences } from './external';
import { LABELS, MANAGED_BY } from './names';
import { networkPolicyProblems } from './network-check';
import {
  ANYWHERE,
  ClientAdmission,
  NetworkPath,
  NetworkPeer,
  PathOptions,
  PodRules,
  PolicyRule,
  WORKLOAD_KINDS,
  admissionTargets,
  networkPaths,
  objectId,
  podRules,
  podSelectorOf,
  policyPeers,
} from './network-plan';

/** The construct context key that turns the library's NetworkPolicies off below a scope (`false`). */
export const NETWORK_POLICIES_CONTEXT = 'obs-platform/network-policies';

/**
 * Turns the library's NetworkPolicies on or off for every component below `scope` (a chart or the
 * app). Call it before adding constructs to the scope. Off is for clusters whose network plugin
 * does not enforce policies, or that manage them elsewhere.
 */
export function setNetworkPolicies(scope: IConstruct, enabled: boolean): void {
  scope.node.setContext(NETWORK_POLICIES_CONTEXT, enabled);
}

/** Whether components at `scope` emit NetworkPolicies. @default true */
export function networkPoliciesEnabled(scope: IConstruct): boolean {
  return scope.node.tryGetContext(NETWORK_POLICIES_CONTEXT) !== false;
}

const admissions = new WeakMap<IConstruct, ClientAdmission[]>();

/**
 * Admits clients the app does not configure (pods of other namespaces that push or query, a load
 * balancer's address ranges) to the pods behind the in-cluster address `url`, on its port. The
 * synth fails if the address names no Service of the app.
 */
export function admitClients(scope: IConstruct, url: string, peers: readonly NetworkPeer[]): void {
  const v = new Validator(scope);
  v.check(
    serviceReferences(url, clusterDomainOf(scope)).length > 0,
    'url',
    url,
    'names no in-cluster Service (<service>.<namespace>.svc[.<domain>])',
    "pass the component's own endpoint, e.g. loki.pushUrl",
  );
  peers.forEach((peer, i) => {
    v.check(
      (peer.namespaces?.length ?? 0) > 0 || peer.podLabels !== undefined || (peer.cidrs?.length ?? 0) > 0,
      `peers[${i}]`,
      peer,
      'admits nobody',
      'give namespaces, podLabels or cidrs',
    );
    for (const ns of peer.namespaces ?? [])
      v.check(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns), `peers[${i}].namespaces`, ns, 'is not a namespace name', 'use the name as kubectl shows it');
    for (const cidr of peer.cidrs ?? [])
      v.check(isCidr(cidr), `peers[${i}].cidrs`, cidr, 'is not an address block', 'write it as an IPv4 or IPv6 CIDR, e.g. "10.20.0.0/16"');
  });
  v.throwIfAny();
  const output = outputOf(scope);
  admissions.set(output, [...(admissions.get(output) ?? []), { path: scope.node.path, url, peers }]);
}

function isCidr(text: string): boolean {
  const [ip, bits] = text.split('/');
  if (bits === undefined || !/^\d+$/.test(bits)) return false;
  if (ip.includes(':')) return /^[0-9a-f:]+$/i.test(ip) && Number(bits) <= 128;
  const parts = ip.split('.');
  return parts.length === 4 && parts.every((p) => /^\d+$/.test(p) && Number(p) <= 255) && Number(bits) <= 32;
}

/** What {@link PodNetworkPolicy} takes. */
export interface PodNetworkPolicyProps {
  readonly name: string;
  readonly namespace: string;
  /** The labels that select the pods (the workload's selector). */
  readonly podSelector: Readonly<Record<string, string>>;
  /** Labels of the policy itself. */
  readonly labels: Readonly<Record<string, string>>;
  /** Ports on addresses outside the cluster the program reaches whatever its config says (notifications, plugins). @default none */
  readonly outsidePorts?: readonly number[];
}

/**
 * The NetworkPolicy of one workload's pods: ingress and egress exactly as the app's paths need,
 * worked out at synth. Made by {@link Workload} for every workload; a component that builds pods
 * another way makes one itself.
 */
export class PodNetworkPolicy extends Construct {
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: PodNetworkPolicyProps) {
    super(scope, id);
    guardNameCollisions(this);
    registerAppCheck(this, 'network-policies', networkPolicyCheck);
    const spec = () => {
      const rules = planOf(outputOf(this)).rulesFor(props.namespace, props.podSelector);
      const outside: PolicyRule[] = props.outsidePorts?.length
        ? [{ peers: [ANYWHERE], ports: props.outsidePorts.map((port) => ({ port, protocol: 'TCP' })) }]
        : [];
      return policySpec(props.podSelector, { ingress: rules.ingress, egress: [...rules.egress, ...outside] });
    };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: Lazy.any({ produce: spec }),
    });
  }
}

/** The policy of a workload's pods, unless NetworkPolicies are off at `scope`. */
export function podNetworkPolicy(scope: Construct, id: string, props: PodNetworkPolicyProps): PodNetworkPolicy | undefined {
  return networkPoliciesEnabled(scope) ? new PodNetworkPolicy(scope, id, props) : undefined;
}

/** A policy's spec from its rules, empty lists left out (an isolated direction with no rule admits nothing). */
function policySpec(podSelector: Readonly<Record<string, string>>, rules: PodRules): unknown {
  const ingress = rules.ingress.map((r) => ({ from: r.peers, ...(r.ports ? { ports: r.ports } : {}) }));
  const egress = rules.egress.map((r) => ({ to: r.peers, ...(r.ports ? { ports: r.ports } : {}) }));
  return {
    podSelector: { matchLabels: { ...podSelector } },
    policyTypes: ['Ingress', 'Egress'],
    ...(ingress.length ? { ingress } : {}),
    ...(egress.length ? { egress } : {}),
  };
}

/**
 * The namespace-wide policy that makes every pod of `namespace` isolated both ways: what no other
 * policy admits is refused, including pods the library does not make.
 */
export function defaultDenyPolicy(scope: Construct, id: string, namespace: string): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace, labels: { [LABELS.managedBy]: MANAGED_BY } },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
}

/** The rules of every workload of an app, worked out once per synth. */
class NetworkPlan {
  private readonly rules = new Map<string, PodRules>();
  /** Admissions whose address names no workload of the app. */
  readonly unresolved: ClientAdmission[] = [];
  /** Every path of the app's configs. */
  readonly paths: readonly NetworkPath[];

  constructor(
    readonly objects: AppObjects,
    readonly options: PathOptions,
    admitted: readonly ClientAdmission[],
  ) {
    const manifests = objects.ofKinds(...WORKLOAD_KINDS, 'Service');
    const namespaceOf = new Map(manifests.map((m) => [objectId(m), (m as { metadata?: { namespace?: string } }).metadata?.namespace ?? '']));
    const targets = admitted.flatMap((a) => {
      const found = admissionTargets(a.url, manifests, options);
      if (found.length === 0) this.unresolved.push(a);
      return found.map((t) => ({ ...t, peers: a.peers.flatMap((p) => policyPeers(p, namespaceOf.get(t.workload) ?? '')) }));
    });
    this.paths = networkPaths(manifests, options);
    const byId = new Map(manifests.map((m) => [objectId(m), m]));
    for (const [id, r] of podRules(manifests, this.paths, targets)) this.rules.set(key(namespaceOf.get(id) ?? '', podSelectorOf(byId.get(id))), r);
  }

  rulesFor(namespace: string, podSelector: Readonly<Record<string, string>>): PodRules {
    return this.rules.get(key(namespace, podSelector)) ?? { ingress: [], egress: [] };
  }
}

function key(namespace: string, selector: Readonly<Record<string, string>>): string {
  return `${namespace}|${JSON.stringify(Object.entries(selector).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
}

/**
 * The output a construct belongs to: its chart, one file applied to one cluster. Policies are
 * worked out per output, so that two charts with the same objects (the stages of a migration)
 * never read each other's.
 */
function outputOf(scope: IConstruct): IConstruct {
  return [...scope.node.scopes].reverse().find((c) => Chart.isChart(c)) ?? scope.node.root;
}

/** The plan of each output, with the number of constructs it was made for (a construct added since makes it stale). */
const plans = new WeakMap<IConstruct, { size: number; plan: NetworkPlan }>();

function planOf(root: IConstruct): NetworkPlan {
  const size = root.node.findAll().length;
  const cached = plans.get(root);
  if (cached && cached.size === size) return cached.plan;
  const objects = new AppObjects(root);
  const domains = new Set(
    root.node
      .findAll()
      .filter((c) => c instanceof PodNetworkPolicy)
      .map((c) => clusterDomainOf(c)),
  );
  const options: PathOptions = {
    clusterDomains: [...domains],
    provided: externalReferences(root).filter((e) => e.kind === 'Service'),
    find: (kind, namespace, name) => objects.find(kind, namespace, name),
  };
  const plan = new NetworkPlan(objects, options, admissions.get(root) ?? []);
  plans.set(root, { size, plan });
  return plan;
}

/**
 * The app check: every admission names an entry point of the app, and the policies as emitted
 * (patches and the user's own policies included) admit every path of the app's configs.
 */
function networkPolicyCheck(root: IConstruct): ValidationProblem[] {
  const withPolicies = root.node
    .findAll()
    .filter((c) => c instanceof PodNetworkPolicy)
    .map((c) => outputOf(c));
  const withAdmissions = [root, ...root.node.findAll().filter((c) => Chart.isChart(c))].filter((c) => admissions.has(c));
  return [...new Set([...withPolicies, ...withAdmissions])].flatMap((output) => outputProblems(output));
}

/** The network problems of one output (see {@link networkPolicyCheck}). */
function outputProblems(output: IConstruct): ValidationProblem[] {
  const plan = planOf(output);
  const problems: ValidationProblem[] = plan.unresolved.map((a) => ({
    path: a.path,
    property: 'admitClients',
    value: a.url,
    problem: 'names no Service of the app with pods behind it: the clients would be admitted nowhere',
    fix: 'pass the endpoint of a component of this app, e.g. loki.pushUrl, or leave the admission out',
  }));
  const policies = plan.objects.apiObjectsOf('NetworkPolicy').map((p) => p.toJson());
  const manifests = [...plan.objects.ofKinds(...WORKLOAD_KINDS, 'Service', 'Namespace'), ...policies];
  for (const p of networkPolicyProblems(manifests, plan.options, plan.paths)) {
    problems.push({
      path: p.from,
      property: p.source,
      value: p.address,
      problem: p.problem,
      fix: 'admit the path in a NetworkPolicy of your own, or remove the patch or policy that refuses it (the library emits a rule for every address its configs name)',
    });
  }
  return problems;
}
