/**
 * A dry run's change set as tables for people: what would be created where, and every DNS
 * change from its current value to its new one. Fields the table does not know are left to
 * `--json`; an output that is not a change set at all is shown as JSON.
 */
import { formatDuration } from '../lambdas/plan/duration';
import { formatPlanPath, type PlanPath } from '../lambdas/plan/plan-references';
import type { Output } from './output';
import { paint } from './output';
import { table, utcTime } from './table';

interface ChangeSetResource {
  tier?: string;
  kind?: string;
  role?: string;
  source?: string;
  action?: string;
  from?: string;
  name?: string;
  pointTakenAt?: string;
  rpoSeconds?: number;
  withinRpo?: boolean;
  instanceType?: string;
  dbInstanceClass?: string;
  subnets?: string[];
  [other: string]: unknown;
}

interface DnsChange {
  zone?: string;
  name?: string;
  type?: string;
  from?: string[];
  to?: string[];
  before?: string[];
  after?: string[];
  weight?: number;
  [other: string]: unknown;
}

interface ChangeSet {
  app?: string;
  from?: string;
  to?: string;
  recoveryPoint?: string;
  resources?: ChangeSetResource[];
  resourceCount?: number;
  dnsChanges?: DnsChange[];
  dnsChangeCount?: number;
  dnsSnapshot?: { zone?: string; records?: number; checksum?: string }[];
  privateZoneAssociations?: { zone?: string; id?: string; vpcId?: string; region?: string }[];
  preflightWarnings?: { path?: PlanPath; message?: string; fix?: string }[];
  worstRpoSeconds?: number;
  [other: string]: unknown;
}

function list(values: readonly string[] | undefined): string {
  if (!values || values.length === 0) return '(none)';
  return values.length > 3 ? `${values.slice(0, 3).join(', ')} +${values.length - 3}` : values.join(', ');
}

export function isChangeSet(value: unknown): value is ChangeSet {
  return (
    typeof value === 'object' &&
    value !== null &&
    (Array.isArray((value as ChangeSet).resources) || Array.isArray((value as ChangeSet).dnsChanges))
  );
}

/** A failback dry run's reconciliation (lambdas/failback/reconciliation.ts), as far as it is read here. */
interface FailbackReconciliation {
  app?: string;
  from?: string;
  to?: string;
  strategy?: string;
  steps?: number[];
  prefer?: string;
  unresolvedConflicts?: number;
  dns: {
    name?: string;
    changes?: number;
    decisions?: { key?: string; action?: string; reason?: string }[];
    conflicts?: { key?: string; kind?: string; resolution?: string }[];
    preserved?: { key?: string; reason?: string }[];
  }[];
  resources?: {
    instances?: { source?: string; recoveryId?: string; role?: string; tier?: string; reason?: string }[];
    databases?: { source?: string; recoveryId?: string; role?: string; tier?: string; strategy?: string }[];
    stale?: { kind?: string; id?: string; role?: string; tier?: string }[];
    retire?: { kind?: string; id?: string; role?: string; tier?: string }[];
    unknown?: { kind?: string; id?: string; role?: string; outcome?: string; reason?: string }[];
  };
}

function isReconciliation(value: unknown): value is FailbackReconciliation {
  const dns = (value as { dns?: unknown } | null)?.dns;
  return Array.isArray(dns) && dns.every((z) => typeof z === 'object' && z !== null && 'decisions' in z);
}

function renderReconciliation(r: FailbackReconciliation, out: Output): void {
  const steps = r.strategy === 'staged' && r.steps ? ` (${r.steps.join(' → ')} %)` : '';
  out.line(
    paint(
      out,
      'bold',
      `failback plan for ${r.app ?? 'the app'}, ${r.from ?? '?'} → ${r.to ?? '?'}, ${r.strategy ?? 'cutover'}${steps}${r.prefer ? `, prefer ${r.prefer}` : ''}`,
    ),
  );
  out.line(paint(out, 'dim', 'A dry run: nothing was created or changed.'));
  const res = r.resources ?? {};
  const home = [
    ...(res.databases ?? []).map((d) => [
      d.tier ?? '',
      d.role ?? '',
      d.source ?? '',
      `sync home (${d.strategy ?? 'replica'}) from ${d.recoveryId ?? '?'}`,
    ]),
    ...(res.instances ?? []).map((i) => [
      i.tier ?? '',
      i.role ?? '',
      i.source ?? '(new)',
      `rebuild from ${i.recoveryId ?? '?'}`,
    ]),
  ];
  out.line();
  out.line(`Resources to bring home to ${r.to ?? 'the primary'} (${home.length}):`);
  if (home.length === 0) out.line('  (none)');
  else for (const line of table(['TIER', 'ROLE', 'SOURCE', 'ACTION'], home)) out.line(line);
  const setAside = [
    ...(res.stale ?? []).map((s) => [
      s.kind ?? '',
      s.id ?? '',
      s.role ?? '',
      `set aside in ${r.to ?? 'the primary'} (final snapshot first)`,
    ]),
    ...(res.retire ?? []).map((s) => [
      s.kind ?? '',
      s.id ?? '',
      s.role ?? '',
      `retired in ${r.from ?? 'the recovery region'} after the soak`,
    ]),
  ];
  if (setAside.length > 0) {
    out.line();
    out.line(`Set aside or retired (${setAside.length}):`);
    for (const line of table(['KIND', 'ID', 'ROLE', 'WHAT'], setAside)) out.line(line);
  }
  const unknown = (res.unknown ?? []).map((u) => [
    u.kind ?? '',
    u.id ?? '',
    u.role ?? '',
    u.outcome === 'conflict' ? paint(out, 'red', 'conflict') : (u.outcome ?? ''),
    u.reason ?? '',
  ]);
  if (unknown.length > 0) {
    out.line();
    out.line(`Not in the failover's inventory, in ${r.from ?? 'the recovery region'} (${unknown.length}):`);
    for (const line of table(['KIND', 'ID', 'ROLE', 'FAILBACK', 'WHY'], unknown)) out.line(line);
  }
  for (const zone of r.dns) {
    out.line();
    out.line(`DNS ${zone.name ?? ''}: ${zone.changes ?? 0} record(s) move home`);
    const decisions = (zone.decisions ?? []).map((d) => [
      d.key ?? '',
      d.action === 'conflict' ? paint(out, 'red', 'conflict') : (d.action ?? ''),
      d.reason ?? '',
    ]);
    if (decisions.length > 0)
      for (const line of table(['RECORD', 'ACTION', 'WHY'], decisions)) out.line(line);
    for (const p of zone.preserved ?? []) out.line(`  kept as people changed it: ${p.key} (${p.reason})`);
  }
  if ((r.unresolvedConflicts ?? 0) > 0)
    out.line(
      paint(
        out,
        'red',
        `\n${r.unresolvedConflicts} conflict(s) stop this failback: choose with --prefer failback (overwrite) or --prefer current (keep); either leaves unknown resources in place.`,
      ),
    );
}

export function renderChangeSet(workflow: string, value: unknown, out: Output): void {
  if (isReconciliation(value)) {
    renderReconciliation(value, out);
    return;
  }
  if (!isChangeSet(value)) {
    out.line(JSON.stringify(value, null, 2));
    return;
  }
  const set = value;
  const route = set.from && set.to ? `, ${set.from} → ${set.to}` : '';
  const point = set.recoveryPoint ? `, recovery point ${set.recoveryPoint}` : '';
  out.line(paint(out, 'bold', `${workflow} plan for ${set.app ?? 'the app'}${route}${point}`));
  out.line(paint(out, 'dim', 'A dry run: nothing was created or changed.'));

  const resources = set.resources ?? [];
  const resourceCount = set.resourceCount ?? resources.length;
  out.line();
  out.line(`Resources to create${set.to ? ` in ${set.to}` : ''} (${resourceCount}):`);
  if (resources.length === 0) out.line('  (none)');
  else {
    const rows = resources.map((r) => {
      const size = r.instanceType ?? r.dbInstanceClass ?? '';
      const rpo =
        typeof r.rpoSeconds === 'number'
          ? `${formatDuration(r.rpoSeconds)} ${r.withinRpo === false ? paint(out, 'red', '✗ over RPO') : '✓'}`
          : '';
      return [
        r.tier ?? '',
        r.role ?? '',
        r.source ?? '',
        r.action ?? r.kind ?? '',
        r.name ? `${r.name} from ${r.from ?? '?'}` : (r.from ?? ''),
        size,
        utcTime(r.pointTakenAt),
        rpo,
      ];
    });
    for (const line of table(['TIER', 'ROLE', 'SOURCE', 'ACTION', 'FROM', 'SIZE', 'TAKEN', 'AGE'], rows))
      out.line(line);
    if (resourceCount > resources.length)
      out.line(`  … and ${resourceCount - resources.length} more (see --json)`);
  }

  const dns = set.dnsChanges ?? [];
  const dnsCount = set.dnsChangeCount ?? dns.length;
  out.line();
  out.line(`DNS changes (${dnsCount}):`);
  if (dns.length === 0) out.line('  (none)');
  else {
    const rows = dns.map((c) => [
      c.name ?? '',
      c.type ?? '',
      list(c.from ?? c.before),
      '→',
      `${list(c.to ?? c.after)}${typeof c.weight === 'number' ? ` (weight ${c.weight})` : ''}`,
    ]);
    for (const line of table(['RECORD', 'TYPE', 'BEFORE', '', 'AFTER'], rows)) out.line(line);
    if (dnsCount > dns.length) out.line(`  … and ${dnsCount - dns.length} more (see --json)`);
  }

  const associations = set.privateZoneAssociations ?? [];
  if (associations.length > 0) {
    out.line();
    out.line(`Private zone associations, made before DNS moves and kept (${associations.length}):`);
    const rows = associations.map((a) => [`${a.zone ?? ''} (${a.id ?? ''})`, a.vpcId ?? '', a.region ?? '']);
    for (const line of table(['PRIVATE ZONE', 'VPC', 'REGION'], rows)) out.line(line);
  }

  if (set.dnsSnapshot && set.dnsSnapshot.length > 0) {
    out.line();
    for (const zone of set.dnsSnapshot)
      out.line(
        `DNS snapshot: ${zone.zone ?? '?'} has ${zone.records ?? '?'} record(s) now (checksum ${String(zone.checksum ?? '').slice(0, 12)})`,
      );
  }
  if (typeof set.worstRpoSeconds === 'number')
    out.line(`Worst recovery point age: ${formatDuration(set.worstRpoSeconds)}`);

  // What the preflight found that would not stop the run but may slow or break it (quotas, limits).
  const warnings = set.preflightWarnings ?? [];
  if (warnings.length > 0) {
    out.line();
    out.line(`Preflight warnings (${warnings.length}):`);
    for (const w of warnings) {
      out.line(`  ${paint(out, 'yellow', '!')} ${formatPlanPath(w.path ?? [])}: ${w.message ?? ''}`);
      out.line(`      fix: ${w.fix ?? ''}`);
    }
  }
}
