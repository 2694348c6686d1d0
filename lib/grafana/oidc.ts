import { Validator } from '../core/errors';
import { k8s } from '../core/k8s';
import { GrafanaIni } from './ini';

/** A login through an OpenID Connect provider (Keycloak, Dex, Okta, Entra ID, Google, ...). */
export interface GrafanaOidc {
  /** The browser's URL of Grafana, which the provider redirects back to (`<rootUrl>/login/generic_oauth`). */
  readonly rootUrl: string;
  /** The provider's authorization endpoint. */
  readonly authUrl: string;
  /** The provider's token endpoint. */
  readonly tokenUrl: string;
  /** The provider's userinfo endpoint. */
  readonly apiUrl: string;
  readonly clientId: string;
  /** The client secret, in a Secret you create: never in the output. */
  readonly clientSecret: { readonly name: string; readonly key: string };
  /** Text of the login button. @default "SSO" */
  readonly name?: string;
  /** @default "openid profile email" */
  readonly scopes?: string;
  /**
   * JMESPath over the claims that gives the Grafana role, e.g.
   * `contains(groups[*], 'sre') && 'Admin' || 'Viewer'`. With it, a user it gives no role is refused.
   * @default every user is a Viewer
   */
  readonly roleAttributePath?: string;
  /** Hide the login form, so that only the provider logs in (the admin login still works through the API). @default false */
  readonly disableLoginForm?: boolean;
}

/** The environment variable Grafana reads `[auth.generic_oauth] client_secret` from. */
const CLIENT_SECRET_ENV = 'GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET';

/** The grafana.ini sections of an OIDC login: authorization code flow with PKCE. */
export function oidcIni(oidc: GrafanaOidc): GrafanaIni {
  return {
    server: { root_url: oidc.rootUrl },
    'auth.generic_oauth': {
      enabled: true,
      name: oidc.name ?? 'SSO',
      client_id: oidc.clientId,
      scopes: oidc.scopes ?? 'openid profile email',
      auth_url: oidc.authUrl,
      token_url: oidc.tokenUrl,
      api_url: oidc.apiUrl,
      use_pkce: true,
      allow_sign_up: true,
      ...(oidc.roleAttributePath ? { role_attribute_path: oidc.roleAttributePath, role_attribute_strict: true } : {}),
    },
    ...(oidc.disableLoginForm ? { auth: { disable_login_form: true } } : {}),
  };
}

/** The client secret, from the user's Secret. */
export function oidcEnv(oidc: GrafanaOidc): k8s.EnvVar[] {
  return [{ name: CLIENT_SECRET_ENV, valueFrom: { secretKeyRef: { name: oidc.clientSecret.name, key: oidc.clientSecret.key } } }];
}

/** Every URL is https (the provider's and Grafana's own: the login and its tokens cross them). */
export function checkOidc(v: Validator, oidc: GrafanaOidc): void {
  for (const key of ['rootUrl', 'authUrl', 'tokenUrl', 'apiUrl'] as const) {
    v.check(
      /^https:\/\/[^\s/]+/.test(oidc[key] ?? ''),
      `oidc.${key}`,
      oidc[key],
      'is not an https URL: the login, its code and its tokens would cross the network in clear',
      'give the https URL, e.g. "https://sso.example.com/realms/main/protocol/openid-connect/auth"',
    );
  }
  v.check(oidc.clientId !== undefined && oidc.clientId !== '', 'oidc.clientId', oidc.clientId, 'is empty', "give the client's ID at the provider");
  v.check(
    /^[-._a-zA-Z0-9]+$/.test(oidc.clientSecret?.key ?? '') && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(oidc.clientSecret?.name ?? ''),
    'oidc.clientSecret',
    oidc.clientSecret,
    'does not name a Secret and a key',
    'give { name, key } of a Secret you create in the namespace',
  );
}
