import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { k8s } from './k8s';
import deepmerge from 'deepmerge';
import { stringify } from 'yaml';
import { guardNameCollisions } from './collisions';
import { ComponentIdentity } from './names';

/** Renders a typed config object as YAML the way every component's config file is written. */
export function renderYaml(config: unknown): string {
  // No line folding: long strings (addresses, regexes) must stay on one line to stay readable.
  return stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Deep-merges user overrides over a generated config. Objects merge key by key; arrays and
 * scalars in the overrides replace the generated ones (a merged list is rarely what anyone means).
 */
export function mergeOverrides<T extends object>(generated: T, overrides: object | undefined): T {
  if (!overrides) return generated;
  return deepmerge(generated, overrides as Partial<T>, { arrayMerge: (_target, source) => source }) as T;
}

/** Props of {@link ConfigFile}. */
export interface ConfigFileProps {
  /** The component the file belongs to (namespace and labels). */
  readonly identity: ComponentIdentity;
  /** Object name. */
  readonly name: string;
  /** File name → content. */
  readonly files: Readonly<Record<string, string>>;
  /** Emit a Secret instead of a ConfigMap, because the files carry credentials. @default false */
  readonly sensitive?: boolean;
}

/**
 * A set of config files in one ConfigMap (or Secret), with a checksum that pods put in an
 * annotation so that a change of config rolls them.
 */
export class ConfigFile extends Construct {
  /** The emitted ConfigMap or Secret. */
  readonly apiObject: k8s.KubeConfigMap | k8s.KubeSecret;
  /** The object's name. */
  readonly name: string;
  /** Whether this is a Secret. */
  readonly sensitive: boolean;
  /** sha256 over the file names and contents. */
  readonly checksum: string;
  /** The files, as the object holds them (decoded, for a Secret). */
  readonly files: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ConfigFileProps) {
    super(scope, id);
    guardNameCollisions(this);
    this.name = props.name;
    this.sensitive = props.sensitive ?? false;
    this.checksum = checksumOf(props.files);
    this.files = { ...props.files };
    const metadata = { name: props.name, namespace: props.identity.namespace, labels: props.identity.labels };
    this.apiObject = this.sensitive
      ? new k8s.KubeSecret(this, 'Resource', { metadata, type: 'Opaque', data: base64Values(props.files) })
      : new k8s.KubeConfigMap(this, 'Resource', { metadata, data: { ...props.files } });
  }

  /** A pod volume that mounts every file of this object. */
  volume(volumeName: string): k8s.Volume {
    return this.sensitive ? { name: volumeName, secret: { secretName: this.name } } : { name: volumeName, configMap: { name: this.name } };
  }
}

/** sha256 of a set of files, independent of key order. */
export function checksumOf(files: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(files).sort()) hash.update(key).update('\0').update(files[key]).update('\0');
  return hash.digest('hex');
}

function base64Values(files: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
}
