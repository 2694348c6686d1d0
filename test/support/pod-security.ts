import { HOST_ACCESS_ANNOTATION } from '../../lib/core/pod';
import { Manifest, containersOf, podSpecOf } from './synth';

/** The only departures from "restricted" a node agent may declare (HOST_ACCESS_ANNOTATION). */
const HOST_AGENT_ALLOWANCES = [
  /: hostNetwork is true$/,
  /: hostPID is true$/,
  /: volume \S+ has type hostPath, not allowed under restricted$/,
  /: runAsNonRoot is not true$/,
  /: runs as uid 0$/,
];

/**
 * Pod Security over a whole output: every pod meets "restricted", except node agents that declare
 * their host access on the pod and run in a namespace of the output that admits it (enforce
 * "privileged"). Those may only use the declared host access: capabilities stay dropped,
 * privilege escalation off, the root filesystem read-only. A privileged namespace holds nothing else.
 */
export function outputPodSecurityViolations(manifests: Manifest[]): string[] {
  const level = (ns: string | undefined) =>
    manifests.find((m) => m.kind === 'Namespace' && m.metadata.name === ns)?.metadata.labels?.['pod-security.kubernetes.io/enforce'];
  return manifests.flatMap((m) => {
    const spec = podSpecOf(m);
    if (!spec) return [];
    const where = `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`;
    const template = m.kind === 'CronJob' ? m.spec.jobTemplate.spec.template : m.spec.template;
    const reason = template?.metadata?.annotations?.[HOST_ACCESS_ANNOTATION];
    const privileged = level(m.metadata.namespace) === 'privileged';
    const all = podSecurityViolations(m);
    if (!reason) return privileged ? [...all, `${where}: runs in a privileged namespace without declaring host access`] : all;
    if (!privileged) return [...all, `${where}: declares host access but its namespace does not admit it`];
    return all.filter((v) => !HOST_AGENT_ALLOWANCES.some((a) => a.test(v)));
  });
}

/**
 * The Kubernetes Pod Security Standard "restricted" (policy version 1.28+), every control of the
 * baseline and restricted profiles that a pod spec can break, plus the project's own rule of a
 * read-only root filesystem. Returns one line per violation; an empty list means compliant.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export function podSecurityViolations(m: Manifest): string[] {
  const spec = podSpecOf(m);
  if (!spec) return [];
  const where = `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`;
  const out: string[] = [];
  const podSc = spec.securityContext ?? {};

  // Baseline: host namespaces, host paths and ports, privileged, capabilities, proc mount, sysctls.
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[f] === true) out.push(`${where}: ${f} is true`);
  }
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    const allowed = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
    if (!type || !allowed.includes(type)) out.push(`${where}: volume ${v.name} has type ${type}, not allowed under restricted`);
  }
  const safeSysctls = [
    'kernel.shm_rmid_forced',
    'net.ipv4.ip_local_port_range',
    'net.ipv4.ip_unprivileged_port_start',
    'net.ipv4.tcp_syncookies',
    'net.ipv4.ping_group_range',
    'net.ipv4.ip_local_reserved_ports',
    'net.ipv4.tcp_keepalive_time',
    'net.ipv4.tcp_fin_timeout',
    'net.ipv4.tcp_keepalive_intvl',
    'net.ipv4.tcp_keepalive_probes',
  ];
  for (const s of podSc.sysctls ?? []) if (!safeSysctls.includes(s.name)) out.push(`${where}: unsafe sysctl ${s.name}`);
  if (podSc.seLinuxOptions?.user || podSc.seLinuxOptions?.role) out.push(`${where}: pod sets SELinux user/role`);
  if (podSc.seccompProfile && !['RuntimeDefault', 'Localhost'].includes(podSc.seccompProfile.type))
    out.push(`${where}: pod seccomp ${podSc.seccompProfile.type}`);
  if (podSc.appArmorProfile && !['RuntimeDefault', 'Localhost'].includes(podSc.appArmorProfile.type))
    out.push(`${where}: pod AppArmor ${podSc.appArmorProfile.type}`);

  for (const c of containersOf(spec)) {
    const sc = c.securityContext ?? {};
    const at = `${where} container ${c.name}`;
    if (sc.privileged === true) out.push(`${at}: privileged`);
    if (sc.procMount && sc.procMount !== 'Default') out.push(`${at}: procMount ${sc.procMount}`);
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${at}: hostPort ${p.hostPort}`);
    if (sc.seLinuxOptions?.user || sc.seLinuxOptions?.role) out.push(`${at}: sets SELinux user/role`);
    // Restricted.
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation is not false`);
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (nonRoot !== true) out.push(`${at}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) out.push(`${at}: runs as uid 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) out.push(`${at}: seccompProfile is ${seccomp ?? 'unset'}`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}: does not drop ALL capabilities`);
    const added = (sc.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) out.push(`${at}: adds capabilities ${added.join(',')}`);
    // The project's own rule, stricter than the standard.
    if (sc.readOnlyRootFilesystem !== true) out.push(`${at}: root filesystem is writable`);
  }
  return out;
}
