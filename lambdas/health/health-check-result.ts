/** The result of one health check, as the check-health task reports it. */
export interface HealthCheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** What was seen, e.g. `HTTP 200`, `HTTP 503, expected 200`, `ALARM: Threshold Crossed: ...`. */
  readonly detail: string;
  readonly ms: number;
}

/** Details travel in the state payload, so they are kept short. */
export function shortDetail(text: string, max = 300): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}
