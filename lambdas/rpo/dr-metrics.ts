/**
 * A Powertools Metrics instance for Pendulum's readiness metrics (see dr-metric-names.ts): EMF on
 * stdout, namespace `Pendulum`, and no default `service` dimension, so each metric has exactly the
 * dimensions its alarm and dashboard widget name. Created per invocation, so it honours
 * POWERTOOLS_METRICS_DISABLED as it is at that moment.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DR_METRICS } from './dr-metric-names';

export function drMetrics(): Metrics {
  const metrics = new Metrics({
    namespace: DR_METRICS.namespace,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'pendulum',
  });
  metrics.clearDefaultDimensions();
  return metrics;
}
