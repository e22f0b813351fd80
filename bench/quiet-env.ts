// Imported first by the benchmark: Task handlers run in-process, so keep Powertools' JSON logs,
// EMF metrics and X-Ray capture off (they would flood the console and be measured as Pendulum's cost).
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
