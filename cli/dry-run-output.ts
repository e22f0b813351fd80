/**
 * What a dry run returns, for people. A failover dry run returns its change set; a failback dry
 * run returns a summary and keeps the full reconciliation in the artifact bucket, which is read
 * back here so the operator sees every record's decision, not just the counts.
 */
import { ArtifactStore } from '../lambdas/artifacts/artifact-store';
import type { Plan } from '../lambdas/plan/plan-schema';
import { renderChangeSet } from './change-set';
import type { Output } from './output';
import { s3Client, stackResources } from './stack-resources';
import type { WorkflowRun } from './workflow-client';

interface StoredSummary {
  key: string;
  markdownKey?: string;
  [field: string]: unknown;
}

function storedSummary(value: unknown): value is StoredSummary {
  const key = (value as { key?: unknown } | null)?.key;
  return typeof key === 'string' && key.endsWith('.json');
}

export async function showDryRun(
  workflow: string,
  run: WorkflowRun,
  out: Output,
  plan: Plan,
  local: boolean | undefined,
): Promise<void> {
  if (!storedSummary(run.output)) {
    renderChangeSet(workflow, run.output, out);
    return;
  }
  const summary = run.output;
  let document: unknown;
  try {
    const stack = await stackResources(plan, { local });
    document = await new ArtifactStore(s3Client(stack.region), stack.bucketName).getJson(summary.key);
  } catch {
    document = undefined;
  }
  if (document !== undefined) renderChangeSet(workflow, document, out);
  else
    for (const [field, value] of Object.entries(summary))
      if (field !== 'key' && field !== 'markdownKey') out.line(`${field}: ${JSON.stringify(value)}`);
  out.line();
  out.line(
    `Stored as ${summary.key}${summary.markdownKey ? ` and ${summary.markdownKey}` : ''} in the artifact bucket.`,
  );
}
