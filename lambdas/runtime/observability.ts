/**
 * The one place handlers get their Logger, Metrics and Tracer, so every task logs and measures alike.
 * Outside Lambda (the local rehearsal and tests) the tracer is a no-op and the log level comes from
 * POWERTOOLS_LOG_LEVEL, which the local harness sets low.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'pendulum';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Pendulum',
  serviceName,
});
export const tracer = new Tracer({
  serviceName,
  enabled: process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined,
});
