import { createHash } from 'node:crypto';

/** An htpasswd file (SHA hashes, which nginx and the collector's basicauth both read) of these users and passwords. */
export function htpasswdOf(passwords: Readonly<Record<string, string>>): string {
  return Object.entries(passwords)
    .map(([user, pw]) => `${user}:{SHA}${createHash('sha1').update(pw).digest('base64')}`)
    .join('\n');
}

/** The `Authorization` header of a basic-auth login. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
