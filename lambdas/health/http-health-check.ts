/**
 * A URL health check: GET the URL (with `{region}` replaced by the target region) and compare the
 * status with the one expected. Redirects are not followed: the status compared is the URL's own.
 */
import { durationSeconds, formatDuration } from '../plan/duration';
import type { HealthCheck } from '../plan/plan-schema';
import { type HealthCheckResult, shortDetail } from './health-check-result';

export type HttpHealthCheck = HealthCheck & { readonly url: string };

/** The URL to call for a region: every `{region}` in the template is replaced. */
export function healthCheckUrl(template: string, region: string): string {
  return template.replaceAll('{region}', region);
}

export interface HttpHealthCheckDeps {
  readonly fetch?: typeof fetch;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = cause instanceof Error ? ((cause as { code?: unknown }).code ?? cause.message) : undefined;
  return code === undefined ? `${error.name}: ${error.message}` : `${error.message} (${String(code)})`;
}

/** Never throws: a check that cannot be made is a failed check with the reason as its detail. */
export async function runHttpHealthCheck(
  check: HttpHealthCheck,
  region: string,
  deps: HttpHealthCheckDeps = {},
): Promise<HealthCheckResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const timeoutSeconds = durationSeconds(check.timeout);
  try {
    const response = await (deps.fetch ?? fetch)(healthCheckUrl(check.url, region), {
      method: 'GET',
      headers: { 'User-Agent': 'pendulum-health-check' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
    // The body is not needed; release the connection.
    await response.body?.cancel().catch(() => undefined);
    const ok = response.status === check.expectStatus;
    const location =
      response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
    const detail = `HTTP ${response.status}${ok ? '' : `, expected ${check.expectStatus}`}${location ? ` (redirect to ${location})` : ''}`;
    return { name: check.name, ok, detail: shortDetail(detail), ms: ms() };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const detail = timedOut
      ? `no answer within ${formatDuration(timeoutSeconds)}`
      : `request failed: ${errorText(error)}`;
    return { name: check.name, ok: false, detail: shortDetail(detail), ms: ms() };
  }
}
