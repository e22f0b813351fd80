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
  readonly unresolvedConflicts: number;
}

const values = (r: ResourceRecordSet | undefined) =>
  r
    ? (r.ResourceRecords ?? []).map((v) => v.Value).join(', ') ||
      (r.AliasTarget ? `alias ${r.AliasTarget.DNSName}` : '')
    : '(none)';

export function reconciliationMarkdown(r: Reconciliation): string {
  const lines = [
    `# Failback reconciliation: ${r.app}`,
    '',
    `Run ${r.runId}, ${r.createdAt}. From ${r.from} to ${r.to}, ${r.strategy}${r.strategy === 'staged' ? ` (${r.steps.join(' → ')} %)` : ''}.`,
    '',
    r.unresolvedConflicts > 0
      ? `**${r.unresolvedConflicts} conflict(s) stop this failback.** Decide with \`prefer: failback\` (overwrite) or \`prefer: current\` (keep), then start it again.`
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
  lines.push('', '## Data', '');
  for (const db of r.resources.databases) {
    lines.push(
      `- ${db.source}: the recovery copy ${db.recoveryId} is the truth; ${db.strategy === 'replica' ? 'replicated home and promoted' : 'snapshotted, copied home and restored'}.`,
    );
  }
  lines.push(
    '',
    'Nothing is deleted without a final snapshot or AMI: stale primary resources after the new primary is validated, recovery-region copies after the soak time.',
    '',
  );
  return lines.join('\n');
}
