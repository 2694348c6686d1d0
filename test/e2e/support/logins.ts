import { createHash } from 'node:crypto';
import { hashSync } from 'bcryptjs';

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

/** An htpasswd file with bcrypt hashes (what `htpasswd -nbB` writes), the only kind the exporter toolkit's web config reads. */
export function bcryptHtpasswdOf(passwords: Readonly<Record<string, string>>): string {
  return Object.entries(passwords)
    .map(([user, pw]) => `${user}:${hashSync(pw, 5)}`)
    .join('\n');
}
