/**
 * The Kubernetes API bindings (KubeDeployment, EnvVar, Quantity, ...) that cdk8s-plus-28 ships,
 * taken from their own module. The package's entry point also loads every cdk8s+ construct, which
 * the library never uses; skipping them saves the command line about a tenth of its start-up.
 */
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';

export { k8s };
