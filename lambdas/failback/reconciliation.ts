/**
 * The reconciliation document: what failback will do and why, written before anything changes.
 * JSON for the workflow and machines; Markdown for the people who approve the failback.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { DnsConflict, MergeDecision, PreservedChange } from '../dns/three-way-merge';
import type { FailbackResourcePlan } from './failback-run';

export interface ZoneReconciliation {
  readonly id: string;
  readonly name: string;
  readonly decisions: MergeDecision[];
  readonly conflicts: DnsConflict[];
  readonly preserved: PreservedChange[];
  /** Managed records that will move home. */
  readonly changes: number;
}

export interface Reconciliation {
  readonly app: string;
  readonly runId: string;
  readonly failbackId: string;
  readonly createdAt: string;
  readonly from: string;
  readonly to: string;
  readonly strategy: 'cutover' | 'staged';
  readonly steps: number[];
  readonly prefer?: string;
  readonly dns: ZoneReconciliation[];
  readonly resources: FailbackResourcePlan;
  /** Hand-edited managed records and unknown resources that stop the run until `prefer` is given. */
  readonly unresolvedConflicts: number;
}

const values = (r: ResourceRecordSet | undefined) =>
  r
    ? (r.ResourceRecords ?? []).map((v) => v.Value).join(', ') ||
      (r.AliasTarget ? `alias ${r.AliasTarget.DNSName}` : '')
    : '(none)';

function unknownMarkdown(r: Reconciliation): string[] {
  const { unknown } = r.resources;
  const lines = ['', `## Not in the failover's inventory (${r.from})`, ''];
  if (unknown.length === 0)
    return [...lines, "Nothing with the app's tag or in the placement's subnets is unaccounted for."];
  lines.push(
    "Found by the app's tag or in the placement's subnets; failback never retires any of them.",
    '',
    '| resource | found | taken for | created | failback | why |',
    '|---|---|---|---|---|---|',
  );
  for (const u of unknown)
    lines.push(
      `| ${u.kind} ${u.id} | ${u.found} | ${u.role ?? '(no role)'} | ${u.createdAt ?? ''} | ${u.outcome === 'conflict' ? '**conflict**' : u.outcome} | ${u.reason} |`,
    );
  return lines;
}

const DATA_SYNC = {
  replica: 'replicated home and promoted',
  snapshot: 'snapshotted, copied home and restored',
  switchover: 'its global database switched back to the home member',
} as const;

export function reconciliationMarkdown(r: Reconciliation): string {
  const lines = [
    `# Failback reconciliation: ${r.app}`,
    '',
    `Run ${r.runId}, ${r.createdAt}. From ${r.from} to ${r.to}, ${r.strategy}${r.strategy === 'staged' ? ` (${r.steps.join(' → ')} %)` : ''}.`,
    '',
    r.unresolvedConflicts > 0
      ? `**${r.unresolvedConflicts} conflict(s) stop this failback.** Decide with \`prefer: failback\` (overwrite hand-edited records) or \`prefer: current\` (keep them), then start it again; either leaves unknown resources in place.`
      : 'No unresolved conflicts.',
    '',
    '## DNS',
  ];
  for (const zone of r.dns) {
    lines.push('', `### ${zone.name}`, '', `${zone.changes} managed record(s) move home.`, '');
    if (zone.conflicts.length) {
      lines.push(
        'Conflicts (managed records changed by hand during failover):',
        '',
        '| record | change | now | failback would write | resolution |',
        '|---|---|---|---|---|',
      );
      for (const c of zone.conflicts)
        lines.push(`| ${c.key} | ${c.kind} | ${values(c.now)} | ${values(c.desired)} | ${c.resolution} |`);
      lines.push('');
    }
    if (zone.preserved.length) {
      lines.push(
        'Interim changes kept as they are now:',
        '',
        '| record | change | before failover | now |',
        '|---|---|---|---|',
      );
      for (const p of zone.preserved)
        lines.push(`| ${p.key} | ${p.reason} | ${values(p.base)} | ${values(p.now)} |`);
      lines.push('');
    }
    lines.push('| managed record | decision | why |', '|---|---|---|');
    for (const d of zone.decisions) lines.push(`| ${d.key} | ${d.action} | ${d.reason} |`);
  }
  lines.push('', '## Resources', '', '| subject | decision | why |', '|---|---|---|');
  for (const d of r.resources.decisions) lines.push(`| ${d.subject} | ${d.decision} | ${d.reason} |`);
  lines.push(...unknownMarkdown(r));
  lines.push('', '## Data', '');
  for (const db of r.resources.databases) {
    lines.push(`- ${db.source}: the recovery copy ${db.recoveryId} is the truth; ${DATA_SYNC[db.strategy]}.`);
  }
  lines.push(
    '',
    'Nothing is deleted without a final snapshot or AMI: stale primary resources after the new primary is validated, recovery-region copies after the soak time.',
    '',
  );
  return lines.join('\n');
}
