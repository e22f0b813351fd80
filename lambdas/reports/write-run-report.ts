/**
 * Every run leaves a report beside its outcome in the artifact bucket: Markdown and a
 * self-contained HTML page. Deployed tasks have no execution history at hand, so these carry no
 * timeline; `pendulum report RUN` adds it from the history.
 */
import type { ArtifactStore } from '../artifacts/artifact-store';
import type { Plan } from '../plan/plan-schema';
import { logger } from '../runtime/observability';
import { renderHtml } from './render-html';
import { renderMarkdown } from './render-markdown';
import { type DnsCutoverDocument, type OutcomeDocument, reportFromOutcome } from './report-from-outcome';

export async function writeRunReport(
  artifacts: ArtifactStore,
  plan: Plan,
  outcomeKey: string,
  outcome: OutcomeDocument,
  dnsCutover?: DnsCutoverDocument,
): Promise<{ markdownKey: string; htmlKey: string } | undefined> {
  try {
    const report = reportFromOutcome(outcome, {
      primaryRegion: plan.primaryRegion,
      recoveryRegion: plan.recoveryRegion,
      dnsCutover,
    });
    const base = outcomeKey.replace(/outcome\.json$/, 'report');
    await artifacts.putText(`${base}.md`, renderMarkdown(report), 'text/markdown; charset=utf-8');
    await artifacts.putText(`${base}.html`, renderHtml(report), 'text/html; charset=utf-8');
    return { markdownKey: `${base}.md`, htmlKey: `${base}.html` };
  } catch (error) {
    // A report is evidence, not the recovery itself: never fail a run over it.
    logger.warn('report not written', { error: (error as Error).message, outcomeKey });
    return undefined;
  }
}
