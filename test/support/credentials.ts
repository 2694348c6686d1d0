/** Config keys that carry a credential, in the spellings of Thanos, Loki, Tempo, MinIO and env files. */
const CREDENTIAL_ASSIGNMENT =
  /\b(access_key|secret_key|access_key_id|secret_access_key|session_token|password|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|MINIO_ROOT_PASSWORD)\b["']?\s*[:=]\s*["']?([^\s"',}]+)/gi;

/**
 * Every credential-looking key with a non-empty value in a config text, as `key=value`. A value that
 * names an environment variable the program expands (`${AWS_SECRET_ACCESS_KEY}`, `$(VAR)`, vmauth's `%{VAR}`) is a
 * reference, not a credential.
 */
export function credentialsIn(text: string): string[] {
  return [...text.matchAll(CREDENTIAL_ASSIGNMENT)].filter((m) => !/^(\$[{(]|%\{|sys\.env\()/.test(m[2])).map((m) => `${m[1]}=${m[2]}`);
}
