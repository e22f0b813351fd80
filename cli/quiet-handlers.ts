/**
 * Imported first by the CLI. With `--local` the workflows' handlers run in this process, and
 * Powertools writes their logs and metrics to stdout, where they would mix with the CLI's output
 * (and break `--json`). Its logger reads the level once, when its module is first imported, so
 * the defaults are set here before anything imports it. Set POWERTOOLS_LOG_LEVEL=INFO to see them.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
