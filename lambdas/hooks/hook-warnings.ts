/**
 * What a run's hooks come to in its record: every hook result for the report, and a warning for each
 * post-phase hook that did not pass. Post phases run after DNS moved, so a hook failing there (or the
 * hook task itself failing, caught by the state machine) leaves a successful run with warnings.
 * Pure: it reads the workflow's `$.hookResults` as it is, a phase's result or the error caught in its place.
 */
import { z } from 'zod';
import type { HookRecord } from '../reports/run-report-model';
import { HOOK_PHASES, isPrePhase } from './hook-payload';
import { truncateReason } from './hook-response';

const phaseResult = z.object({
  results: z.array(
    z.object({
      hook: z.string(),
      outcome: z.string(),
      reason: z.string().optional(),
      attempts: z.number(),
      ms: z.number(),
    }),
  ),
});
/** What a Catch puts at the result path: `{ Error, Cause }`. */
const caughtError = z.object({ Error: z.string(), Cause: z.string().optional() });

export interface HookSummary {
  readonly hooks: HookRecord[];
  readonly warnings: string[];
}

const WORDS: Record<string, string> = {
  failed: 'failed',
  veto: 'objected',
  'not-started': 'was not started',
};

export function summarizeHooks(hookResults: unknown): HookSummary {
  const byPhase = z.record(z.string(), z.unknown()).safeParse(hookResults);
  const hooks: HookRecord[] = [];
  const warnings: string[] = [];
  if (!byPhase.success) return { hooks, warnings };
  for (const phase of HOOK_PHASES) {
    const value = byPhase.data[phase];
    if (value === undefined) continue;
    const result = phaseResult.safeParse(value);
    if (result.success) {
      for (const r of result.data.results) {
        hooks.push({ phase, ...r });
        const word = WORDS[r.outcome];
        if (word !== undefined && !isPrePhase(phase))
          warnings.push(`${phase} hook ${r.hook} ${word}: ${r.reason ?? 'no reason given'}`);
      }
      continue;
    }
    const caught = caughtError.safeParse(value);
    if (caught.success && !isPrePhase(phase))
      warnings.push(
        truncateReason(
          `${phase} hooks did not finish (${caught.data.Error}): ${causeText(caught.data.Cause)}`,
        ),
      );
  }
  return { hooks, warnings };
}

/** A Lambda error's cause is the JSON `{ errorType, errorMessage }`; its message is what a person needs. */
function causeText(cause: string | undefined): string {
  if (cause === undefined || cause === '') return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string' && parsed.errorMessage !== '') return parsed.errorMessage;
  } catch {
    // not JSON: the cause as it is
  }
  return cause;
}
