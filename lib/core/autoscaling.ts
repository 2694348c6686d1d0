import { Construct } from 'constructs';
import { k8s } from './k8s';
import { Validator } from './errors';
import { ComponentIdentity } from './names';
import { ResourceRequirements } from './resources';

/** A HorizontalPodAutoscaler for a stateless Deployment. */
export interface AutoscalingOptions {
  /** Fewest pods. */
  readonly minReplicas: number;
  /** Most pods. */
  readonly maxReplicas: number;
  /** Average CPU use, in percent of the CPU request, that the autoscaler aims for. @default 70 */
  readonly targetCpuUtilization?: number;
  /** Average memory use, in percent of the memory request, to aim for as well. @default none (CPU only) */
  readonly targetMemoryUtilization?: number;
}

/**
 * Checks an autoscaler's bounds and that the pods have the requests its targets are a percentage
 * of: without a CPU request, a CPU target never computes and the autoscaler does nothing.
 */
export function checkAutoscaling(v: Validator, property: string, options: AutoscalingOptions, resources: ResourceRequirements): void {
  const { minReplicas, maxReplicas } = options;
  if (
    v.check(
      Number.isInteger(minReplicas) && minReplicas >= 1,
      `${property}.minReplicas`,
      minReplicas,
      'is not a whole number of at least 1',
      'set it to 1 or more',
    )
  ) {
    v.check(
      Number.isInteger(maxReplicas) && maxReplicas >= minReplicas,
      `${property}.maxReplicas`,
      maxReplicas,
      `is below minReplicas (${minReplicas}) or not a whole number`,
      `set it to ${minReplicas} or more`,
    );
  }
  for (const [key, request] of [
    ['targetCpuUtilization', 'cpu'],
    ['targetMemoryUtilization', 'memory'],
  ] as const) {
    const target = key === 'targetCpuUtilization' ? (options[key] ?? 70) : options[key];
    if (target === undefined) continue;
    v.check(Number.isInteger(target) && target > 0 && target <= 100, `${property}.${key}`, target, 'is not a percentage from 1 to 100', 'use e.g. 70');
    v.check(
      resources.requests?.[request] !== undefined,
      `${property}.${key}`,
      target,
      `needs a ${request} request on the pods, and they have none`,
      `set resources.requests.${request}`,
    );
  }
}

/** Emits an autoscaling/v2 HorizontalPodAutoscaler for the Deployment named by the identity. */
export function createAutoscaler(scope: Construct, id: string, identity: ComponentIdentity, options: AutoscalingOptions): k8s.KubeHorizontalPodAutoscalerV2 {
  const utilization = (name: string, averageUtilization: number): k8s.MetricSpecV2 => ({
    type: 'Resource',
    resource: { name, target: { type: 'Utilization', averageUtilization } },
  });
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, id, {
    metadata: { name: identity.name, namespace: identity.namespace, labels: identity.labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: identity.name },
      minReplicas: options.minReplicas,
      maxReplicas: options.maxReplicas,
      metrics: [
        utilization('cpu', options.targetCpuUtilization ?? 70),
        ...(options.targetMemoryUtilization !== undefined ? [utilization('memory', options.targetMemoryUtilization)] : []),
      ],
    },
  });
}
