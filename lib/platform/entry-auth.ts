import { TempoGatewayOptions } from '../tempo';
import { Validator } from '../core/errors';
import { LokiGatewayOptions } from '../loki';
import { ThanosTenantGatewayOptions } from '../thanos';
import { VmAuthUser } from '../victoriametrics';
import { PlatformEntryAuthSpec, PlatformSpec, PlatformTenant } from './spec';

/**
 * What the one tenants spec gives each entry point, when `entryAuth` is set: the same logins at the
 * Loki gateway, the metrics entry (the Thanos tenant gateway or vmauth) and the OTLP gateway. A
 * setting the spec gives a component itself wins.
 */
export interface EntryLogins {
  readonly lokiGateway: LokiGatewayOptions | undefined;
  readonly thanosTenantGateway: ThanosTenantGatewayOptions | undefined;
  readonly vmAuthUsers: readonly VmAuthUser[] | undefined;
  readonly otlpBasicAuthSecret: string | undefined;
  readonly tempoGateway: TempoGatewayOptions | undefined;
}

/** The logins each entry point takes from `entryAuth` and `tenants` (each undefined, or the spec's own, without it). */
export function entryLogins(spec: PlatformSpec, tenants: readonly PlatformTenant[]): EntryLogins {
  const auth = spec.entryAuth;
  const gateway = spec.loki?.gateway;
  const tempoGateway = spec.tempo ? spec.tempo.gateway : undefined;
  if (!auth) return { lokiGateway: gateway, thanosTenantGateway: undefined, vmAuthUsers: undefined, otlpBasicAuthSecret: undefined, tempoGateway };
  return {
    lokiGateway: {
      ...gateway,
      basicAuthSecret: gateway?.basicAuthSecret ?? auth.htpasswdSecret,
      clientPasswordsSecret: gateway?.clientPasswordsSecret ?? auth.passwordsSecret,
    },
    thanosTenantGateway: { basicAuthSecret: auth.htpasswdSecret },
    // Each tenant's login writes and reads its own account only; deletes stay with an admin login of yours.
    vmAuthUsers: tenants.map((t) => ({ username: t.id, passwordKey: t.id, tenant: t.metricsAccount ?? '' })),
    otlpBasicAuthSecret: auth.htpasswdSecret,
    tempoGateway: tempoGateway ?? { basicAuthSecret: auth.htpasswdSecret },
  };
}

/** The problems of `entryAuth` that only the whole spec shows. */
export function checkEntryAuth(v: Validator, spec: PlatformSpec, tenants: readonly PlatformTenant[], backend: string): void {
  const auth: PlatformEntryAuthSpec | undefined = spec.entryAuth;
  if (!auth) return;
  if (backend === 'victoriametrics' && !spec.victoriaMetrics?.auth) {
    tenants.forEach((t, i) =>
      v.check(
        t.metricsAccount !== undefined,
        `tenants[${i}].metricsAccount`,
        t.metricsAccount,
        `is unset, and VictoriaMetrics keeps tenants by number: ${t.id}'s login at vmauth would have no account to write to`,
        `map the tenant to an account, e.g. { id: "${t.id}", metricsAccount: ${i + 1} }; never renumber one that holds data`,
      ),
    );
    const accounts = tenants.map((t) => String(t.metricsAccount)).filter((a) => a !== 'undefined');
    const twice = accounts.filter((a, i) => accounts.indexOf(a) !== i);
    v.check(
      twice.length === 0,
      'tenants',
      twice,
      'map two tenants to the same metrics account, so each would read and write the other’s series',
      'give every tenant an account of its own',
    );
  }
  const otlp = spec.collectors?.otlp;
  v.check(
    otlp === false || otlp?.implementation !== 'alloy',
    'collectors.otlp.implementation',
    'alloy',
    'takes no logins from senders here, so the OTLP entry would stay open while entryAuth closes the others',
    'use the OpenTelemetry Collector gateway (the default), or turn the OTLP gateway off',
  );
  v.check(
    auth.htpasswdSecret !== auth.passwordsSecret,
    'entryAuth.passwordsSecret',
    auth.passwordsSecret,
    'is the htpasswd Secret too, but the two hold different things (hashes for the gateways, plain passwords for the platform’s own clients)',
    'give two Secrets',
  );
}
