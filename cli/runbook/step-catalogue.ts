/**
 * What each workflow state does, where it acts, and what an operator does by hand when the
 * automation is unavailable, keyed by state name. A state's own `Comment` in the definition wins
 * for "what it does"; the region and the manual fallback always come from here. States not listed
 * get a generic entry (see `genericStep`), so a new state never breaks the runbook.
 */

import { recoveryCapSeconds } from '../../lambdas/failover/recovery-cap';
import { formatDuration } from '../../lambdas/plan/duration';
import { freezeModeOf } from '../../lambdas/plan/failback-freeze';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { type RunbookContext, zoneIdExpression } from './runbook-context';

export type Touches = 'primary' | 'recovery' | 'both' | 'route53' | 'state' | 'hooks' | 'none';

export interface StepInfo {
  /** What the step does, in a sentence or two. */
  readonly does: string | ((ctx: RunbookContext) => string);
  /** Where it acts. */
  readonly touches: Touches | readonly Touches[];
  /** The gate it enforces or the hooks it calls, when it has one. */
  readonly gate?: (ctx: RunbookContext) => string;
  /** Markdown: what to do by hand if the automation is unavailable. */
  readonly fallback: (ctx: RunbookContext) => string;
}

const code = (lines: string[]) => ['```sh', ...lines, '```'].join('\n');

const tagFilter = (ctx: RunbookContext) => `Name=tag:pendulum:app,Values=${ctx.app}`;

function hookList(plan: Plan, phase: keyof Plan['hooks']): string {
  const hooks = plan.hooks[phase];
  if (hooks.length === 0) return `none in this plan (\`hooks.${phase}\` is empty): the step passes at once`;
  return hooks
    .map((h) =>
      'webhook' in h
        ? `webhook ${h.webhook.url} (signed with ${h.webhook.secretArn})`
        : `Lambda ${h.lambda.functionArn}`,
    )
    .join('; ');
}

function hookFallback(ctx: RunbookContext, phase: keyof Plan['hooks'], workflow: string): string {
  const hooks = ctx.plan.hooks[phase];
  if (hooks.length === 0) return 'Nothing to do: the plan has no hooks for this phase.';
  const payload = `{"phase":"${phase}","workflow":"${workflow}","app":"${ctx.app}","runId":"manual-$(date -u +%Y%m%dT%H%M)","region":"${workflow === 'failover' ? ctx.recovery : ctx.primary}","dryRun":false}`;
  const lines = hooks.map((h) =>
    'webhook' in h
      ? `- Ask the owner of ${h.webhook.url} for a go/no-go, or call it yourself with the payload below, signed with the key in ${h.webhook.secretArn}.`
      : `- \`aws lambda invoke --region ${h.lambda.functionArn.split(':')[3]} --function-name ${h.lambda.functionArn} --cli-binary-format raw-in-base64-out --payload '${payload}' hook-answer.json\` and read \`hook-answer.json\`: a veto means stop.`,
  );
  return [`Call each hook and respect its answer:`, ...lines, '', `Payload: \`${payload}\``].join('\n');
}

function healthList(plan: Plan): string {
  if (plan.healthChecks.length === 0) return 'no health checks in this plan: the gate passes';
  return plan.healthChecks
    .map((h) =>
      h.url
        ? `${h.name}: ${h.url} must answer ${h.expectStatus}`
        : `${h.name}: alarm ${h.alarmName} must be OK`,
    )
    .join('; ');
}

function healthFallback(ctx: RunbookContext, region: string): string {
  if (ctx.plan.healthChecks.length === 0)
    return 'Check the application by hand in the target region before changing DNS.';
  return code(
    ctx.plan.healthChecks.map((h) =>
      h.url
        ? `curl -sS -o /dev/null -w '%{http_code}\\n' '${h.url.replaceAll('{region}', region)}'   # expect ${h.expectStatus}`
        : `aws cloudwatch describe-alarms --region ${region} --alarm-names '${h.alarmName}' --query 'MetricAlarms[0].StateValue'   # expect OK`,
    ),
  );
}

function recordTarget(
  target: Plan['dns']['zones'][number]['records'][number]['target'],
  region: string,
): string {
  if ('role' in target) return `the addresses of the recovered \`${target.role}\` instances`;
  if ('database' in target) return `the endpoint of the recovered database \`${target.database}\``;
  return (target.values[region] ?? []).join(', ') || `(no value for ${region} in the plan)`;
}

function dnsFallback(ctx: RunbookContext, region: string, comment: string): string {
  const zones = ctx.plan.dns.zones.filter((z) => z.records.length > 0);
  if (zones.length === 0) return 'The plan manages no DNS records: nothing to change.';
  const parts: string[] = [];
  for (const zone of zones) {
    parts.push(`Zone **${zone.name}**: UPSERT these records (and only these) in one change batch:`);
    parts.push('');
    for (const r of zone.records)
      parts.push(
        `- \`${r.name}\` ${r.type} TTL ${r.ttl}${r.setIdentifier ? ` (set ${r.setIdentifier})` : ''} → ${recordTarget(r.target, region)}`,
      );
    parts.push('');
    const changes = zone.records.map((r) => {
      const values =
        'role' in r.target
          ? [`<IP of each recovered ${r.target.role} instance>`]
          : 'database' in r.target
            ? [`<endpoint of the recovered ${r.target.database}>`]
            : (r.target.values[region] ?? ['<value>']);
      return `    ${JSON.stringify({
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: r.name,
          Type: r.type,
          ...(r.setIdentifier ? { SetIdentifier: r.setIdentifier } : {}),
          TTL: r.ttl,
          ResourceRecords: values.map((Value) => ({ Value })),
        },
      })}`;
    });
    parts.push(
      code([
        `cat > change-${zone.name}.json <<'EOF'`,
        `{ "Comment": ${JSON.stringify(comment)}, "Changes": [`,
        changes.join(',\n'),
        ']}',
        'EOF',
        '# replace the <placeholders> with the recovered values, then:',
        `aws route53 change-resource-record-sets --hosted-zone-id ${zoneIdExpression(zone)} --change-batch file://change-${zone.name}.json`,
      ]),
    );
    parts.push('');
  }
  return parts.join('\n').trimEnd();
}

function tierOrder(plan: Plan): string {
  return plan.tiers.map((t) => t.name).join(' → ');
}

function recoverFallback(ctx: RunbookContext): string {
  const { plan, recovery } = ctx;
  const lines: string[] = [`For each tier in order (${tierOrder(plan)}), in ${recovery}:`, ''];
  for (const tier of plan.tiers) {
    for (const resource of tier.resources) {
      if ('ec2' in resource) {
        const p = plan.placement[resource.ec2.role];
        const subnets = (p?.subnets ?? []).map((s) =>
          typeof s === 'string' ? s : `<subnet tagged ${s.tag.key}=${s.tag.value}>`,
        );
        const groups = (p?.securityGroups ?? []).map((s) =>
          typeof s === 'string' ? s : `<group tagged ${s.tag.key}=${s.tag.value}>`,
        );
        lines.push(
          `- tier \`${tier.name}\`, role \`${resource.ec2.role}\`: one instance per source instance, from its newest AMI (\`tag:pendulum:source\`):`,
        );
        lines.push(
          code([
            `aws ec2 run-instances --region ${recovery} --image-id <ami> --instance-type ${p?.instanceType ?? '<type of the source>'} \\`,
            `  --subnet-id ${subnets[0] ?? '<subnet>'}${groups.length > 0 ? ` --security-group-ids ${groups.join(' ')}` : ''} \\`,
            `  --tag-specifications 'ResourceType=instance,Tags=[{Key=pendulum:app,Value=${ctx.app}},{Key=pendulum:role,Value=${resource.ec2.role}},{Key=pendulum:source,Value=<source instance>}]'`,
          ]),
        );
      } else if ('rds' in resource) {
        const { identifier, replicaIdentifier } = resource.rds;
        const p = plan.placement[resource.rds.role ?? identifier];
        lines.push(`- tier \`${tier.name}\`, database \`${identifier}\`:`);
        lines.push(
          replicaIdentifier
            ? code([
                `aws rds promote-read-replica --region ${recovery} --db-instance-identifier ${replicaIdentifier}`,
              ])
            : code([
                `aws rds restore-db-instance-from-db-snapshot --region ${recovery} \\`,
                `  --db-instance-identifier ${identifier}-manual --db-snapshot-identifier <newest pendulum-${ctx.app}-${identifier} snapshot> \\`,
                `  ${p?.dbSubnetGroup ? `--db-subnet-group-name ${p.dbSubnetGroup} ` : ''}${p?.dbInstanceClass ? `--db-instance-class ${p.dbInstanceClass} ` : ''}--tags Key=pendulum:app,Value=${ctx.app}`,
              ]),
        );
      } else {
        lines.push(
          `- tier \`${tier.name}\`, Aurora cluster \`${resource.aurora.clusterIdentifier}\`: not automated; fail the global cluster over by hand.`,
        );
      }
    }
  }
  return lines.join('\n');
}

const stateKey = (ctx: RunbookContext) => `'{"pk":{"S":"APP#${ctx.app}"},"sk":{"S":"STATE"}}'`;

function setStatus(ctx: RunbookContext, status: string, activeRegion?: string): string {
  const values = [
    `\\":s\\":{\\"S\\":\\"${status}\\"}`,
    `\\":now\\":{\\"S\\":\\"$(date -u +%FT%TZ)\\"}`,
    ...(activeRegion ? [`\\":region\\":{\\"S\\":\\"${activeRegion}\\"}`] : []),
  ];
  return code([
    `aws dynamodb update-item --region ${ctx.recovery} --table-name ${ctx.tableLookup} \\`,
    `  --key ${stateKey(ctx)} \\`,
    `  --update-expression 'SET #s = :s, updatedAt = :now${activeRegion ? ', activeRegion = :region' : ''}' \\`,
    `  --expression-attribute-names '{"#s":"status"}' \\`,
    `  --expression-attribute-values "{${values.join(',')}}"`,
  ]);
}

function listPoints(ctx: RunbookContext): string {
  return code([
    `aws ec2 describe-images --region ${ctx.recovery} --owners self --filters ${tagFilter(ctx)} \\`,
    `  --query 'Images[].[Tags[?Key==\`pendulum:source\`]|[0].Value, ImageId, State, Tags[?Key==\`pendulum:taken-at\`]|[0].Value]' --output table`,
    `aws rds describe-db-snapshots --region ${ctx.recovery} --snapshot-type manual \\`,
    `  --query "DBSnapshots[?starts_with(DBSnapshotIdentifier, 'pendulum-${ctx.app}-')].[DBInstanceIdentifier, DBSnapshotIdentifier, Status, SnapshotCreateTime]" --output table`,
  ]);
}

function rpoList(plan: Plan): string {
  return plan.tiers.map((t) => `${t.name} ≤ ${t.rpo}`).join(', ');
}

export const STEP_CATALOGUE: Readonly<Record<string, StepInfo>> = {
  // ---- failover ---------------------------------------------------------------------------------
  PrepareFailover: {
    does: 'Checks the input (recoveryPoint, force, dryRun, reason) and that the app may fail over; writes nothing. Builds the run record every later step uses.',
    touches: 'state',
    gate: () => 'the app must be PRIMARY_ACTIVE, or FAILOVER_FAILED (a re-run continues the failed failover)',
    fallback: (ctx) =>
      [
        'Read the app status and make sure no other failover is running:',
        code([
          `aws dynamodb get-item --region ${ctx.recovery} --table-name ${ctx.tableLookup} --key ${stateKey(ctx)}`,
        ]),
      ].join('\n'),
  },
  FailoverRejected: {
    does: 'Stops the run: the input was bad, the app was in the wrong state, a pre-failover hook vetoed, or a recovery point was missing or too old. Nothing was written.',
    touches: 'none',
    fallback: () =>
      'Read the error, fix its cause (or start with `force` for recovery points older than the RPO), and start the failover again.',
  },
  'DryRun?': {
    does: 'Takes the dry-run branch when the input says `dryRun: true`.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  PlanFailover: {
    does: 'Works out the exact change set a failover would make now: the recovery point per resource, the resources to create and where, and every DNS change (before → after). Writes nothing.',
    touches: ['recovery', 'route53'],
    fallback: (ctx) =>
      [
        'List the recovery points and the current records, and compare them with the plan:',
        listPoints(ctx),
        code(
          ctx.plan.dns.zones.map(
            (z) =>
              `aws route53 list-resource-record-sets --hosted-zone-id ${zoneIdExpression(z)} --output table`,
          ),
        ),
      ].join('\n'),
  },
  DryRunComplete: {
    does: 'Ends a dry run, returning the change set.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  PreFailoverHooks: {
    does: "Calls the plan's pre-failover hooks, which may veto the failover (HookVetoError) before anything is written.",
    touches: 'hooks',
    gate: (ctx) => `pre-failover hooks: ${hookList(ctx.plan, 'preFailover')}`,
    fallback: (ctx) => hookFallback(ctx, 'preFailover', 'failover'),
  },
  CheckRecoveryPoints: {
    does: "Checks, before taking the lock, that every resource has an available recovery point within its tier's RPO (older ones only with `force`).",
    touches: 'recovery',
    gate: (ctx) => `recovery points within the RPO: ${rpoList(ctx.plan)}`,
    fallback: (ctx) =>
      [
        `List the recovery points in ${ctx.recovery} and check the newest per source against the RPO (${rpoList(ctx.plan)}):`,
        listPoints(ctx),
      ].join('\n'),
  },
  TakeFailoverLock: {
    does: "Takes the app's lock with a conditional write (→ FAILING_OVER) and opens the run record. Of two concurrent starts only one gets past here.",
    touches: 'state',
    gate: () => 'the lock: status PRIMARY_ACTIVE or FAILOVER_FAILED, atomically',
    fallback: (ctx) =>
      [
        'Mark the failover as started so that no automation starts another:',
        setStatus(ctx, 'FAILING_OVER'),
      ].join('\n'),
  },
  Failover: {
    does: 'Runs the failover proper (DNS snapshot, recovery, health, DNS cutover, record); any failure in it is recorded before the execution fails.',
    touches: 'none',
    fallback: () => 'Do the steps inside it by hand, in order.',
  },
  SnapshotDns: {
    does: "Saves every record of the plan's zones (managed or not) to the artifact bucket, so failback can restore them and tell what people changed meanwhile.",
    touches: ['route53', 'state'],
    fallback: (ctx) =>
      [
        'Save each zone before changing it, and keep the files with the incident:',
        code(
          ctx.plan.dns.zones.map(
            (z) =>
              `aws route53 list-resource-record-sets --hosted-zone-id ${zoneIdExpression(z)} > dns-before-failover-${z.name}.json`,
          ),
        ),
      ].join('\n'),
  },
  ChooseRecoveryPoints: {
    does: 'Chooses, for every resource, the recovery point to come back from (the newest at or before the requested time) and stores the choice for the run.',
    touches: 'recovery',
    fallback: (ctx) =>
      [
        `For each source instance and database, take the newest \`available\` point (tag \`pendulum:taken-at\`) in ${ctx.recovery}:`,
        listPoints(ctx),
      ].join('\n'),
  },
  RecoverTiers: {
    does: (ctx) =>
      `Recovers the tiers one at a time, in plan order (${tierOrder(ctx.plan)}): the data before the servers that need it.`,
    touches: 'recovery',
    fallback: (ctx) => `Do RecoverTier and CheckTierReady for each tier, in order: ${tierOrder(ctx.plan)}.`,
  },
  RecoverTier: {
    does: "Starts the next batch (up to 200) of one tier's resources in parallel in the recovery region: instances launched from their AMIs into the planned subnets and security groups, databases restored from their snapshots (or replicas promoted). Re-running finds what an earlier attempt made.",
    touches: 'recovery',
    fallback: recoverFallback,
  },
  WaitForTier: {
    does: 'Pauses between readiness checks of the tier: 5 s at first, growing with the wait, at most 60 s.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  CheckTierReady: {
    does: "Checks that the tier's instances are running, its databases available and promoted replicas no longer replicas; a resource not visible yet is waited for. Past the tier's RTO the miss is recorded with the laggards and recovery goes on; past the recovery cap it gives up with ReadyTimeoutError.",
    touches: 'recovery',
    gate: (ctx) =>
      `tier readiness within the tier's recovery cap (${ctx.plan.tiers.map((t) => `${t.name} ${formatDuration(recoveryCapSeconds(t))}, RTO ${t.rto}`).join('; ')})`,
    fallback: (ctx) =>
      code([
        `aws ec2 wait instance-status-ok --region ${ctx.recovery} --instance-ids <recovered instance ids>`,
        `aws rds wait db-instance-available --region ${ctx.recovery} --db-instance-identifier <recovered database>`,
      ]),
  },
  'TierStarted?': {
    does: 'Runs RecoverTier again for the next batch (200 resources) until every resource of the tier is started.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  'TierReady?': {
    does: 'Goes on to the next tier once this one is ready, else waits and checks again.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  TierRecovered: {
    does: "Ends one tier's recovery.",
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  CheckRecoveryHealth: {
    does: "Runs the plan's health checks against the recovery region before DNS points there.",
    touches: 'recovery',
    gate: (ctx) => `health checks: ${healthList(ctx.plan)}`,
    fallback: (ctx) => healthFallback(ctx, ctx.recovery),
  },
  'RecoveryHealthy?': {
    does: 'Cuts DNS over only if every health check passed.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  RecoveryUnhealthy: {
    does: 'Fails the run because the recovery region is unhealthy; DNS was not changed.',
    touches: 'none',
    fallback: () =>
      'Fix the recovered application (see the health checks above) and start the failover again: it continues from what exists.',
  },
  AssociatePrivateZones: {
    does: "Associates each private hosted zone of the plan with the VPCs of the recovery placement's subnets that do not resolve it yet, and waits until Route 53 applied it; the association is kept for failback and never removed by Pendulum (the run outcome lists what Pendulum associated). Drills associate nothing and record what a failover would.",
    touches: ['route53', 'recovery'],
    fallback: (ctx) =>
      code([
        `aws ec2 describe-subnets --region ${ctx.recovery} --subnet-ids <placement subnets> --query 'Subnets[].VpcId'`,
        ...ctx.plan.dns.zones
          .filter((z) => z.private)
          .flatMap((z) => [
            `aws route53 get-hosted-zone --id ${zoneIdExpression(z)} --query VPCs   # already listed: nothing to do`,
            `aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${zoneIdExpression(z)} --vpc VPCRegion=${ctx.recovery},VPCId=<vpc-id>`,
          ]),
      ]),
  },
  CutOverDns: {
    does: "Points the plan's managed records at the recovered resources, one change batch per zone; every other record is left alone.",
    touches: 'route53',
    fallback: (ctx) => dnsFallback(ctx, ctx.recovery, `Manual failover of ${ctx.app} to ${ctx.recovery}`),
  },
  ConfirmDnsSync: {
    does: 'Waits until Route 53 reports every change INSYNC.',
    touches: 'route53',
    fallback: (ctx) =>
      code([
        'aws route53 get-change --id <ChangeInfo.Id from change-resource-record-sets>   # until Status is INSYNC',
        ...ctx.plan.dns.zones.flatMap((z) => z.records.map((r) => `dig +short ${r.name} ${r.type}`)),
      ]),
  },
  PostFailoverHooks: {
    does: "Calls the plan's post-failover hooks (e.g. to tell other systems where the app runs now).",
    touches: 'hooks',
    gate: (ctx) => `post-failover hooks: ${hookList(ctx.plan, 'postFailover')}`,
    fallback: (ctx) => hookFallback(ctx, 'postFailover', 'failover'),
  },
  PostFailoverHooksUnfinished: {
    does: 'A post-failover hook failed or ran out of time after DNS moved: recorded as a warning on the successful failover, which goes on to be recorded.',
    touches: 'none',
    fallback: () => 'Read the warning in the run record or report, and do by hand what the hook did not.',
  },
  RecordFailover: {
    does: 'Writes the outcome (inventory, DNS keys, achieved RTO and RPO) to the artifact bucket and the run record, releases the lock as FAILED_OVER, and notifies the topic.',
    touches: 'state',
    fallback: (ctx) =>
      [
        'Record where the app runs now, so failback and the next failover see it:',
        setStatus(ctx, 'FAILED_OVER', ctx.recovery),
        "Tell the people who need to know (the plan's notification topic, the incident channel).",
      ].join('\n'),
  },
  RecordFailoverFailure: {
    does: 'Records FAILOVER_FAILED with the error and what had been created; deletes nothing, so a re-run continues from there.',
    touches: 'state',
    fallback: (ctx) =>
      [
        'Mark the failover as failed, keep what was created, and tell people:',
        setStatus(ctx, 'FAILOVER_FAILED'),
      ].join('\n'),
  },
  FailoverFailed: {
    does: 'Ends a failover that failed after taking the lock (the failure is recorded).',
    touches: 'none',
    fallback: () => 'Fix the cause and start the failover again: it continues from what exists.',
  },
  FailoverComplete: {
    does: 'Ends a successful failover, returning its outcome summary.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },

  // ---- failover: gates for alarm-started runs, drills ------------------------------------------
  'AlarmStarted?': {
    does: 'Runs the gates first when an alarm started the run; a run started by a person goes straight on.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  ConfirmationDelay: {
    does: "Waits the plan's confirmation delay, so a flapping alarm does not fail the app over.",
    touches: 'none',
    gate: (ctx) => `confirmation delay ${ctx.plan.triggers.confirmationDelay}`,
    fallback: (ctx) => `Wait ${ctx.plan.triggers.confirmationDelay} after the alarm fired before deciding.`,
  },
  CheckAlarmGate: {
    does: 'Checks that the alarm still fires after the delay and that the app has not failed over within the cooldown; records and notifies the decision.',
    touches: ['recovery', 'state'],
    gate: (ctx) =>
      `alarm still in ALARM (${ctx.plan.triggers.alarms.join(', ') || ctx.plan.triggers.compositeAlarm || 'none configured'}); cooldown ${ctx.plan.triggers.cooldown}`,
    fallback: (ctx) =>
      code(
        ctx.plan.triggers.alarms.map((arn) => {
          const [, , , region = ctx.primary, , , name = arn] = arn.split(':');
          return `aws cloudwatch describe-alarms --region ${region} --alarm-names '${name}' --query 'MetricAlarms[0].StateValue'   # still ALARM?`;
        }),
      ),
  },
  'AlarmStillFiring?': {
    does: 'Stops if the alarm cleared or the cooldown holds; asks for approval when the plan wants it; else goes on.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  GateStopped: {
    does: 'Ends the run without failing over because a gate said no; the decision is recorded and notified.',
    touches: 'none',
    fallback: () => 'Nothing to do: the gate decided. Start a failover by hand if people decide otherwise.',
  },
  CheckApproval: {
    does: 'Looks for a current approval of the failover in the state table (written by `pendulum approve`).',
    touches: 'state',
    gate: (ctx) =>
      `approval (mode ${ctx.plan.triggers.mode}), valid ${ctx.plan.triggers.approvalTimeout}; on timeout: ${ctx.plan.triggers.onApprovalTimeout}`,
    fallback: (ctx) =>
      [
        'Approve (or decide not to) with the CLI:',
        code([
          `pendulum approve --plan <plan> --by <your name> --reason "<why>"   # valid ${ctx.plan.triggers.approvalTimeout}`,
        ]),
      ].join('\n'),
  },
  'Approved?': {
    does: 'Goes on once approved, waits and asks again while an approval may still come, else stops.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  WaitForApproval: {
    does: 'Waits before looking for the approval again.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  'Drill?': {
    does: 'For a drill, tears down what it made before ending; a real failover just ends.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  'FailedDrill?': {
    does: 'For a failed drill, tears down what it made before failing; a real failover keeps everything for the re-run.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  TearDownDrill: {
    does: 'Removes everything the drill made (instances, databases, drill DNS names), found by the drill tag; recovery points are untouched.',
    touches: ['recovery', 'route53'],
    fallback: (ctx) =>
      code([
        `aws ec2 describe-instances --region ${ctx.recovery} --filters Name=tag-key,Values=pendulum:drill ${tagFilter(ctx)} --query 'Reservations[].Instances[].InstanceId' --output text`,
        `aws ec2 terminate-instances --region ${ctx.recovery} --instance-ids <those ids>`,
        `aws rds delete-db-instance --region ${ctx.recovery} --db-instance-identifier <each drill database> --skip-final-snapshot`,
        '# and delete the drill.* records from the zones',
      ]),
  },
  TearDownFailedDrill: {
    does: 'The same teardown after a drill failed.',
    touches: ['recovery', 'route53'],
    fallback: (ctx) => STEP_CATALOGUE.TearDownDrill?.fallback(ctx) ?? '',
  },

  // ---- failback ---------------------------------------------------------------------------------
  'Skipped?': {
    does: 'Ends at once when a scheduled failback window has nothing to do.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  PrepareFailback: {
    does: 'Checks the input, that the app is failed over, and that the work fits a failback window; writes nothing.',
    touches: 'state',
    gate: (ctx) =>
      `status FAILED_OVER or FAILBACK_FAILED; ${ctx.plan.failback.windows.length === 0 ? 'no window restriction' : `within a window (${ctx.plan.failback.windows.map((w) => `${w.cron} ${w.timezone} for ${w.duration}`).join('; ')})`}`,
    fallback: (ctx) =>
      [
        'Check the app is failed over and you are inside an agreed window:',
        code([
          `pendulum status --plan <plan>`,
          `aws dynamodb get-item --region ${ctx.recovery} --table-name ${ctx.tableLookup} --key ${stateKey(ctx)}`,
        ]),
      ].join('\n'),
  },
  CheckTargetHealth: {
    does: 'Runs the health checks against the primary region before anything moves home.',
    touches: 'primary',
    gate: (ctx) => `health checks in ${ctx.primary}: ${healthList(ctx.plan)}`,
    fallback: (ctx) => healthFallback(ctx, ctx.primary),
  },
  'TargetHealthy?': {
    does: 'Stops before changing anything if the primary region is not healthy.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  TargetUnhealthy: {
    does: 'Refuses the failback: the primary region fails its health checks; nothing was changed.',
    touches: 'none',
    fallback: () => 'Wait for the primary region to recover, then start the failback again.',
  },
  PreFailbackHooks: {
    does: "Calls the plan's pre-failback hooks, which may veto the failback before anything is written.",
    touches: 'hooks',
    gate: (ctx) => `pre-failback hooks: ${hookList(ctx.plan, 'preFailback')}`,
    fallback: (ctx) => hookFallback(ctx, 'preFailback', 'failback'),
  },
  CheckPrivateZones: {
    does: 'Checks that each private hosted zone of the plan is still associated with a VPC of the home region, and with every home VPC it had when the failover started; refuses before anything is changed if not (Pendulum does not associate home VPCs itself).',
    touches: ['route53'],
    gate: (ctx) => `each private zone resolves in ${ctx.primary}`,
    fallback: (ctx) =>
      code(
        ctx.plan.dns.zones
          .filter((z) => z.private)
          .flatMap((z) => [
            `aws route53 get-hosted-zone --id ${zoneIdExpression(z)} --query VPCs   # a VPC in ${ctx.primary} must be listed`,
            `aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${zoneIdExpression(z)} --vpc VPCRegion=${ctx.primary},VPCId=<home vpc-id>`,
          ]),
      ),
  },
  Reconcile: {
    does: "Works out what failback will do (resources to bring home, DNS decisions from a three-way merge of before-failover, failover and now, and what runs in the recovery region with the app's tag or in the placement's subnets without being in the inventory) and stops if a managed record was changed by hand, or such a resource cannot be brought home, and nobody said which version wins.",
    touches: ['route53', 'primary', 'recovery', 'state'],
    gate: () =>
      'no unresolved DNS conflicts and no unknown resource that cannot come home (choose with `prefer: failback` or `prefer: current`; either leaves unknown resources in place)',
    fallback: (ctx) =>
      [
        'Compare the zone now with the snapshot taken before failover (in the artifact bucket) and decide, record by record, what goes back:',
        code(
          ctx.plan.dns.zones.map(
            (z) =>
              `aws route53 list-resource-record-sets --hosted-zone-id ${zoneIdExpression(z)} > dns-now-${z.name}.json`,
          ),
        ),
      ].join('\n'),
  },
  'FailbackDryRun?': {
    does: 'Ends with the reconciliation when the input says `dryRun: true`.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  FailbackDryRunComplete: {
    does: 'Ends a dry run, returning the reconciliation.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  TakeFailbackLock: {
    does: 'Takes the failback lock (→ FAILING_BACK) with a conditional write and opens the run record.',
    touches: 'state',
    gate: () => 'the lock: status FAILED_OVER or FAILBACK_FAILED, atomically',
    fallback: (ctx) => ['Mark the failback as started:', setStatus(ctx, 'FAILING_BACK')].join('\n'),
  },
  Failback: {
    does: 'Runs the failback proper (sync home, validate, move DNS, retire the stale primary, record); a failure in it rolls DNS back and is recorded.',
    touches: 'none',
    fallback: () => 'Do the steps inside it by hand, in order.',
  },
  SyncHome: {
    does: 'Brings the new primary up in the primary region from the recovery-region copies: instances from images of the recovery instances, databases as a cross-region replica or a restored snapshot. Called in a loop until ready; never makes anything twice.',
    touches: 'both',
    gate: (ctx) =>
      `ready within failback.syncCap ${ctx.plan.failback.syncCap}, else it fails naming what is pending`,
    fallback: (ctx) =>
      code([
        `aws ec2 create-image --region ${ctx.recovery} --instance-id <recovery instance> --name <name> --no-reboot`,
        `aws ec2 copy-image --region ${ctx.primary} --source-region ${ctx.recovery} --source-image-id <ami> --name <name>`,
        `aws ec2 run-instances --region ${ctx.primary} --image-id <copied ami> ...   # same placement as the original`,
        `aws rds create-db-instance-read-replica --region ${ctx.primary} --db-instance-identifier <source>-home --source-db-instance-identifier <recovery database arn>`,
      ]),
  },
  'HomeReady?': {
    does: 'Validates the new primary once everything is up, else waits and syncs again.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  WaitForHome: {
    does: 'Waits before checking the new primary again (30 s at first, up to 5 min as the wait grows).',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  CheckHomeHealth: {
    does: 'Runs the health checks against the new primary before DNS moves back.',
    touches: 'primary',
    gate: (ctx) => `health checks in ${ctx.primary}: ${healthList(ctx.plan)}`,
    fallback: (ctx) => healthFallback(ctx, ctx.primary),
  },
  'HomeHealthy?': {
    does: 'Moves DNS back only if the new primary is healthy.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  HomeUnhealthy: {
    does: 'Fails the failback: the new primary is unhealthy; DNS was not moved back.',
    touches: 'none',
    fallback: () => 'Fix the new primary and start the failback again: it resumes from what exists.',
  },
  FreezeWritesHooks: {
    does: 'Asks the preFailback hooks to stop writes in the recovery region (phase freezeWrites); each must answer {"writesFrozen": true}, or the failback stops before the final sync.',
    touches: 'hooks',
    gate: (ctx) => `hooks: ${hookList(ctx.plan, 'preFailback')}`,
    fallback: (ctx) =>
      `Stop the application's writes in ${ctx.recovery} yourself (maintenance mode, read-only users) and confirm before the final sync.`,
  },
  ShiftDnsMaintenance: {
    does: 'Points the stateless records at the maintenance target while the final sync runs (failback.freeze: maintenance); the data records stay on the recovery database.',
    touches: 'route53',
    fallback: (ctx) =>
      dnsFallback(ctx, ctx.recovery, `Maintenance page for ${ctx.app} during the final sync`),
  },
  ConfirmMaintenanceDns: {
    does: 'Waits until Route 53 reports the maintenance records INSYNC.',
    touches: 'route53',
    fallback: () => code(['aws route53 get-change --id <ChangeInfo.Id>   # until Status is INSYNC']),
  },
  FreezeWrites: {
    does: 'Records when writes stopped in the recovery region; with failback.freeze readOnly it first gives each recovery database a read-only copy of its parameter group and reboots it to apply it. Called in a loop until the freeze holds.',
    touches: 'recovery',
    gate: (ctx) =>
      `failback.freeze ${freezeModeOf(ctx.plan)}; within failback.syncCap ${ctx.plan.failback.syncCap}`,
    fallback: (ctx) =>
      code([
        `aws rds copy-db-parameter-group --region ${ctx.recovery} --source-db-parameter-group-identifier <its group> --target-db-parameter-group-identifier pendulum-${ctx.app}-frozen-manual --target-db-parameter-group-description "write freeze"`,
        `aws rds modify-db-parameter-group --region ${ctx.recovery} --db-parameter-group-name pendulum-${ctx.app}-frozen-manual --parameters ParameterName=default_transaction_read_only,ParameterValue=1,ApplyMethod=immediate   # read_only for MySQL/MariaDB`,
        `aws rds modify-db-instance --region ${ctx.recovery} --db-instance-identifier <recovery database> --db-parameter-group-name pendulum-${ctx.app}-frozen-manual --apply-immediately`,
        `aws rds reboot-db-instance --region ${ctx.recovery} --db-instance-identifier <recovery database>`,
      ]),
  },
  'WritesFrozen?': {
    does: 'Starts the final sync once the freeze holds, else waits and checks again.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  WaitForFreeze: {
    does: 'Waits before checking the freeze again (a parameter group is applied by a reboot).',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  FinalSync: {
    does: 'After the freeze: takes the final snapshot of each snapshot-synced recovery database, copies it home (incremental on top of the newest reverse point) and restores the home database from it. Called in a loop until ready.',
    touches: 'both',
    gate: (ctx) => `only after the freeze held; within failback.syncCap ${ctx.plan.failback.syncCap}`,
    fallback: (ctx) =>
      code([
        `aws rds create-db-snapshot --region ${ctx.recovery} --db-instance-identifier <recovery database> --db-snapshot-identifier <name>   # after writes stopped`,
        `aws rds copy-db-snapshot --region ${ctx.primary} --source-region ${ctx.recovery} --source-db-snapshot-identifier <snapshot arn> --target-db-snapshot-identifier <name>`,
        `aws rds restore-db-instance-from-db-snapshot --region ${ctx.primary} --db-instance-identifier <source>-home --db-snapshot-identifier <name>`,
      ]),
  },
  'FinalSynced?': {
    does: 'Finalises the home databases once the final sync is ready, else waits and syncs again.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  WaitForFinalSync: {
    does: 'Waits before checking the final sync again (30 s at first, up to 5 min as the wait grows).',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  ShiftDnsData: {
    does: 'The data cutover: points every data record (a database CNAME, or a record the plan marks stateful) at the home database, once, for every client; never as a weighted pair.',
    touches: 'route53',
    fallback: (ctx) => dnsFallback(ctx, ctx.primary, `Data cutover of ${ctx.app} to ${ctx.primary}`),
  },
  ConfirmDataDns: {
    does: 'Waits until Route 53 reports the data records INSYNC.',
    touches: 'route53',
    fallback: () => code(['aws route53 get-change --id <ChangeInfo.Id>   # until Status is INSYNC']),
  },
  UnfreezeWritesHooksHome: {
    does: 'Tells the preFailback hooks that writes may resume, in the primary region (phase unfreezeWrites), now that the data is home.',
    touches: 'hooks',
    gate: (ctx) => `hooks: ${hookList(ctx.plan, 'preFailback')}`,
    fallback: (ctx) => `Let the application write again in ${ctx.primary}.`,
  },
  FinaliseHome: {
    does: "Promotes the home replicas, sets the stale primary databases aside and gives the home databases the plan's identifiers.",
    touches: 'primary',
    fallback: (ctx) =>
      code([
        `aws rds promote-read-replica --region ${ctx.primary} --db-instance-identifier <source>-home`,
        `aws rds modify-db-instance --region ${ctx.primary} --db-instance-identifier <source> --new-db-instance-identifier <source>-stale --apply-immediately`,
        `aws rds modify-db-instance --region ${ctx.primary} --db-instance-identifier <source>-home --new-db-instance-identifier <source> --apply-immediately`,
      ]),
  },
  'HomeFinal?': {
    does: 'Moves DNS back once every home database is promoted and under its final identifier, else waits and checks again.',
    touches: 'none',
    gate: (ctx) => `within failback.syncCap ${ctx.plan.failback.syncCap} of the first SyncHome`,
    fallback: () => 'Nothing to do by hand.',
  },
  WaitForFinalise: {
    does: 'Waits before finalising the home databases again (30 s at first, up to 5 min as the wait grows).',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  'Staged?': {
    does: 'Moves DNS home in weighted steps for a staged failback, else in one change.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  StartStages: {
    does: (ctx) =>
      `Starts the staged shift at its first step; the steps run one at a time (${ctx.plan.failback.steps.join(' → ')} % to the primary), and a failed step stops the rest.`,
    touches: 'none',
    fallback: (ctx) =>
      `Do ShiftDnsStep, ConfirmStepDns, HoldStep and CheckStepHealth for each weight in turn: ${ctx.plan.failback.steps.join(', ')}.`,
  },
  'MoreSteps?': {
    does: 'Goes on to the next weight after a healthy step, or ends the staged shift after the last one.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand: move to the next weight yourself, or stop at 100 %.',
  },
  StagesDone: {
    does: 'Marks the staged shift complete: every managed record is home as a plain record again.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  WindowSkipped: {
    does: 'Ends a scheduled window run cleanly with its reason (not failed over, no approval, or not enough time); nothing was changed.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand; start the failback yourself when it is time.',
  },
  ShiftDnsStep: {
    does: 'Sets the weighted records so this share of traffic goes to the primary.',
    touches: 'route53',
    fallback: (ctx) =>
      dnsFallback(ctx, ctx.primary, `Manual staged failback of ${ctx.app} (set the weights by hand)`),
  },
  ConfirmStepDns: {
    does: 'Waits until Route 53 reports the step INSYNC.',
    touches: 'route53',
    fallback: () => code(['aws route53 get-change --id <ChangeInfo.Id>   # until Status is INSYNC']),
  },
  HoldStep: {
    does: 'Holds the step before reading the health gate.',
    touches: 'none',
    gate: (ctx) => `hold ${ctx.plan.failback.stepHold} per step`,
    fallback: (ctx) => `Wait ${ctx.plan.failback.stepHold}.`,
  },
  CheckStepHealth: {
    does: 'Runs the health checks after each step.',
    touches: 'primary',
    gate: (ctx) => `health checks in ${ctx.primary}: ${healthList(ctx.plan)}`,
    fallback: (ctx) => healthFallback(ctx, ctx.primary),
  },
  'StepHealthy?': {
    does: 'Goes to the next weight if healthy, else fails (and DNS rolls back to the last healthy step).',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  StepDone: {
    does: 'Ends one step.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  StepUnhealthy: {
    does: 'Fails the failback at this step; DNS goes back to the last healthy step.',
    touches: 'none',
    fallback: () => 'See RollBackDns.',
  },
  ShiftDnsCutover: {
    does: "Points the plan's managed records back at the primary in one change per zone, keeping what people changed during the failover.",
    touches: 'route53',
    fallback: (ctx) => dnsFallback(ctx, ctx.primary, `Manual failback of ${ctx.app} to ${ctx.primary}`),
  },
  ConfirmCutoverDns: {
    does: 'Waits until Route 53 reports the change INSYNC.',
    touches: 'route53',
    fallback: () => code(['aws route53 get-change --id <ChangeInfo.Id>   # until Status is INSYNC']),
  },
  RetireStalePrimary: {
    does: 'Retires the stale primary resources in the primary region, keeping a final AMI or DB snapshot of each first.',
    touches: 'primary',
    fallback: (ctx) =>
      code([
        `aws ec2 create-image --region ${ctx.primary} --instance-id <stale instance> --name <name>-final && aws ec2 terminate-instances --region ${ctx.primary} --instance-ids <stale instance>`,
        `aws rds delete-db-instance --region ${ctx.primary} --db-instance-identifier <source>-stale --final-db-snapshot-identifier <source>-stale-final`,
      ]),
  },
  'StaleRetired?': {
    does: 'Goes on to the soak once the stale primary is retired, else waits for its final copies and retires again.',
    touches: 'none',
    gate: (ctx) => `within failback.retireCap ${ctx.plan.failback.retireCap} of the first RetireStalePrimary`,
    fallback: () => 'Nothing to do by hand.',
  },
  WaitForStaleRetirement: {
    does: 'Waits for final AMIs and snapshots of the stale primary before retiring again.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  PostFailbackHooks: {
    does: "Calls the plan's post-failback hooks.",
    touches: 'hooks',
    gate: (ctx) => `post-failback hooks: ${hookList(ctx.plan, 'postFailback')}`,
    fallback: (ctx) => hookFallback(ctx, 'postFailback', 'failback'),
  },
  PostFailbackHooksUnfinished: {
    does: 'A post-failback hook failed or ran out of time after DNS moved: recorded as a warning on the successful failback, which goes on to be recorded.',
    touches: 'none',
    fallback: () => 'Read the warning in the run record or report, and do by hand what the hook did not.',
  },
  RecordFailback: {
    does: 'Records the failback, sets the app PRIMARY_ACTIVE in the primary region, and notifies the topic.',
    touches: 'state',
    fallback: (ctx) =>
      ['Record that the app is home:', setStatus(ctx, 'PRIMARY_ACTIVE', ctx.primary)].join('\n'),
  },
  Soak: {
    does: 'Keeps the recovery copies for the soak time, in case production has to go back.',
    touches: 'none',
    gate: (ctx) => `soak ${ctx.plan.failback.soak}`,
    fallback: (ctx) => `Keep the recovery-region resources for ${ctx.plan.failback.soak}.`,
  },
  RetireRecoveryCopies: {
    does: 'Retires what failover made in the recovery region, keeping a final AMI or DB snapshot of each first.',
    touches: 'recovery',
    fallback: (ctx) =>
      code([
        `aws ec2 describe-instances --region ${ctx.recovery} --filters Name=tag-key,Values=pendulum:failover ${tagFilter(ctx)} --query 'Reservations[].Instances[].InstanceId'`,
        `aws ec2 create-image --region ${ctx.recovery} --instance-id <id> --name <name>-final && aws ec2 terminate-instances --region ${ctx.recovery} --instance-ids <id>`,
        `aws rds delete-db-instance --region ${ctx.recovery} --db-instance-identifier <recovered database> --final-db-snapshot-identifier <name>-final`,
      ]),
  },
  'CopiesRetired?': {
    does: 'Ends the failback once the recovery copies are retired, else waits for their final copies and retires again.',
    touches: 'none',
    gate: (ctx) =>
      `within failback.retireCap ${ctx.plan.failback.retireCap} of the first RetireRecoveryCopies`,
    fallback: () => 'Nothing to do by hand.',
  },
  WaitForCopiesRetirement: {
    does: 'Waits for final AMIs and snapshots of the recovery copies before retiring again.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  'SoakScheduled?': {
    does: 'Waits out a soak of up to 7 days here; a longer one is handed to a scheduled retirement (the retirement workflow).',
    touches: 'none',
    gate: (ctx) => `soak ${ctx.plan.failback.soak}: scheduled when longer than 7d`,
    fallback: () => 'Nothing to do by hand.',
  },
  ScheduleRetirement: {
    does: 'Creates the one-time schedule that starts the retirement workflow when the soak is over (counted from when production was home), and records "retirement scheduled for T" in the run record, the report and a notification.',
    touches: 'state',
    fallback: (ctx) =>
      code([
        `aws scheduler create-schedule --region ${ctx.recovery} --group-name pendulum-${ctx.app}-schedules --name ${ctx.app}-retire-<episode> \\`,
        `  --schedule-expression 'at(<T, UTC, yyyy-mm-ddThh:mm:ss>)' --flexible-time-window Mode=OFF --action-after-completion DELETE \\`,
        `  --target '{"Arn":"<RetirementStateMachineArn>","RoleArn":"<retirement scheduler role>","Input":"{\\"run\\":<the run>,\\"retireAt\\":\\"<T>\\"}"}'`,
      ]),
  },
  CheckRetirementDue: {
    does: 'Checks that the app is still home from the failback that scheduled this retirement (PRIMARY_ACTIVE, same failback id); reads only.',
    touches: 'state',
    fallback: (ctx) =>
      code([
        `aws dynamodb get-item --region ${ctx.recovery} --table-name ${ctx.tableLookup} --key '{"pk":{"S":"APP#${ctx.app}"},"sk":{"S":"STATE"}}'`,
      ]),
  },
  'RetirementDue?': {
    does: 'Retires the recovery copies if the app is still home from that failback, else records that it skipped.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  RecordRetirement: {
    does: "Records in the failback's run record that the recovery copies are retired, and tells the topic.",
    touches: 'state',
    fallback: () =>
      'Nothing to do by hand: the list of what was retired is retired-recovery.json under the run.',
  },
  RecordRetirementSkipped: {
    does: "Records in the failback's run record that the retirement changed nothing and why, and tells the topic.",
    touches: 'state',
    fallback: () => 'Nothing to do by hand; retire the recovery copies by hand once they are not needed.',
  },
  RetirementComplete: {
    does: 'Ends a scheduled retirement that retired the recovery copies.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  RetirementSkipped: {
    does: 'Ends a scheduled retirement that found the app no longer home from its failback: nothing was retired.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  FailbackComplete: {
    does: 'Ends a successful failback.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  RetirementFailed: {
    does: 'Ends a failback whose production move succeeded but whose recovery copies were not all retired; they are kept.',
    touches: 'none',
    fallback: () =>
      'Retire the remaining copies by hand (see RetireRecoveryCopies) or run the failback again.',
  },
  RollBackDns: {
    does: 'Puts the stateless records back to the last step whose health gate passed, or as they were before the shift (ending a maintenance freeze); data records that moved home stay home.',
    touches: 'route53',
    fallback: (ctx) => dnsFallback(ctx, ctx.recovery, `Manual rollback of ${ctx.app}'s failback`),
  },
  UnfreezeWrites: {
    does: 'After a failure: lets the recovery region write again if the data records had not moved home (readOnly: each recovery database gets its own parameter group back); once they moved, the recovery databases stay frozen. Called in a loop until done.',
    touches: 'recovery',
    fallback: (ctx) =>
      code([
        `aws rds modify-db-instance --region ${ctx.recovery} --db-instance-identifier <recovery database> --db-parameter-group-name <its own group> --apply-immediately`,
        `aws rds reboot-db-instance --region ${ctx.recovery} --db-instance-identifier <recovery database>`,
      ]),
  },
  'WritesResumed?': {
    does: 'Records the failure once the freeze is undone, else waits and checks again.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  WaitForUnfreeze: {
    does: 'Waits before checking the undone freeze again (a parameter group is applied by a reboot).',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  'TellHooksWritesResume?': {
    does: 'Tells the preFailback hooks where writes resume, when the freeze was theirs.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  UnfreezeWritesHooks: {
    does: 'Tells the preFailback hooks that writes may resume (phase unfreezeWrites) in the region that holds the data.',
    touches: 'hooks',
    gate: (ctx) => `hooks: ${hookList(ctx.plan, 'preFailback')}`,
    fallback: () => 'Let the application write again where the data records point.',
  },
  RecordFailbackFailure: {
    does: 'Records FAILBACK_FAILED with the error; nothing is deleted, production stays in the recovery region, and a re-run resumes.',
    touches: 'state',
    fallback: (ctx) => ['Mark the failback as failed:', setStatus(ctx, 'FAILBACK_FAILED')].join('\n'),
  },
  FailbackFailed: {
    does: 'Ends a failback that failed after taking the lock (DNS rolled back, the failure recorded).',
    touches: 'none',
    fallback: () => 'Fix the cause and start the failback again: it resumes from what exists.',
  },
  FailbackRejected: {
    does: 'Stops the run before anything changed: bad input, wrong state, outside the window, unhealthy target, a hook veto or a DNS conflict.',
    touches: 'none',
    fallback: () =>
      'Read the error, fix its cause (for a DNS conflict choose `--prefer`), and start the failback again.',
  },

  // ---- protect ----------------------------------------------------------------------------------
  TiersGiven: {
    does: 'Protects only the tiers given in the input, else every tier.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  ListTiers: {
    does: "Lists the plan's tiers in order.",
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  RequestedTiers: {
    does: 'Takes the tiers named in the input.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  ProtectTiers: {
    does: 'Protects one tier at a time, in plan order.',
    touches: 'none',
    fallback: (ctx) => `Do ProtectTier for each tier in order: ${tierOrder(ctx.plan)}.`,
  },
  ProtectTier: {
    does: "Images each instance and snapshots each database of the tier in the primary region, copies them to the recovery region with Pendulum's tags, removes the intermediates, and prunes old points.",
    touches: 'both',
    fallback: (ctx) =>
      code([
        `aws ec2 create-image --region ${ctx.primary} --instance-id <instance> --name pendulum-${ctx.app}-<instance>-$(date -u +%Y%m%d%H%M) --no-reboot`,
        `aws ec2 copy-image --region ${ctx.recovery} --source-region ${ctx.primary} --source-image-id <ami> --name <same name>`,
        `aws ec2 create-tags --region ${ctx.recovery} --resources <copied ami> --tags Key=pendulum:app,Value=${ctx.app} Key=pendulum:source,Value=<instance> Key=pendulum:taken-at,Value=$(date -u +%FT%TZ) Key=pendulum:kind,Value=recovery-point`,
        `aws rds create-db-snapshot --region ${ctx.primary} --db-instance-identifier <database> --db-snapshot-identifier pendulum-${ctx.app}-<database>-$(date -u +%Y%m%d%H%M)`,
        `aws rds copy-db-snapshot --region ${ctx.recovery} --source-db-snapshot-identifier <snapshot arn> --target-db-snapshot-identifier <same name> --copy-tags`,
      ]),
  },
  TakeProtectLease: {
    does: 'Takes the lease of every tier of the run in the state table, or none when another run of one of them is in progress.',
    touches: 'state',
    fallback: () => 'Protect by hand only when no protect execution of the tier is running.',
  },
  'LeaseTaken?': {
    does: 'Goes on when the run holds its leases; else the run is skipped.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  Skipped: {
    does: 'Ends a run skipped because another run of its tier was in progress; only the skip record was written.',
    touches: 'none',
    fallback: () => 'Nothing to do: the running run protects the tier.',
  },
  Protect: {
    does: "Protects the run's tiers; on any failure gives the leases back before failing.",
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  'TierProtected?': {
    does: 'Goes on once every capture of the tier is done; else waits and asks again.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  WaitForCopies: {
    does: 'Waits as long as the last check said (30 s at first, growing to 5 min).',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  CheckTierProtection: {
    does: 'Moves the pending images, snapshots and copies of the tier on; past protection.copyCap fails, naming them.',
    touches: 'both',
    fallback: (ctx) =>
      code([
        `aws ec2 describe-images --region ${ctx.recovery} --owners self --filters ${tagFilter(ctx)} --query 'Images[?State!=\`available\`].[ImageId,Name,State]'`,
        `aws rds describe-db-snapshots --region ${ctx.recovery} --snapshot-type manual --query 'DBSnapshots[?Status!=\`available\`].[DBSnapshotIdentifier,Status,PercentProgress]'`,
      ]),
  },
  TierDone: {
    does: "Ends one tier's protection.",
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
  ReleaseProtectLease: {
    does: "Gives back the run's tier leases.",
    touches: 'state',
    fallback: (ctx) =>
      `Delete the items \`pk=APP#${ctx.app}\`, \`sk=PROTECT#<tier>\` from ${ctx.tableLookup} if their \`runId\` is this run's; they also expire with protection.copyCap.`,
  },
  ReleaseProtectLeaseAfterFailure: {
    does: "Gives back the run's tier leases after a failure.",
    touches: 'state',
    fallback: (ctx) =>
      `Delete the items \`pk=APP#${ctx.app}\`, \`sk=PROTECT#<tier>\` from ${ctx.tableLookup} if their \`runId\` is this run's; they also expire with protection.copyCap.`,
  },
  ProtectFailed: {
    does: 'Fails the run with the error of the step that failed (e.g. CopyCapExceededError with what was still pending).',
    touches: 'none',
    fallback: () => 'Read the error; the next scheduled run starts afresh.',
  },
  Protected: {
    does: 'Ends the protection run.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },

  // ---- register ---------------------------------------------------------------------------------
  RegisterApp: {
    does: 'Registers the app in the state table (status PRIMARY_ACTIVE unless it already has one) with the fingerprint of the deployed plan.',
    touches: 'state',
    fallback: (ctx) =>
      code([
        `aws dynamodb put-item --region ${ctx.recovery} --table-name ${ctx.tableLookup} --condition-expression 'attribute_not_exists(pk)' \\`,
        `  --item '{"pk":{"S":"APP#${ctx.app}"},"sk":{"S":"STATE"},"app":{"S":"${ctx.app}"},"status":{"S":"PRIMARY_ACTIVE"},"activeRegion":{"S":"${ctx.primary}"}}'`,
      ]),
  },
  Registered: {
    does: 'Ends the registration.',
    touches: 'none',
    fallback: () => 'Nothing to do by hand.',
  },
};

/** For states the catalogue does not know: what the definition says, by state type. */
export function genericStep(stateType: string): StepInfo {
  const byType: Record<string, string> = {
    Task: 'Runs a Pendulum task.',
    Choice: 'Chooses the next step from the state so far.',
    Pass: 'Reshapes the state; acts on nothing.',
    Wait: 'Waits before the next step.',
    Map: 'Runs its steps once per item.',
    Parallel: 'Runs its branches.',
    Succeed: 'Ends the workflow successfully.',
    Fail: 'Ends the workflow with an error.',
  };
  const acts = stateType === 'Task';
  return {
    does: byType[stateType] ?? 'A workflow step.',
    touches: acts ? 'recovery' : 'none',
    fallback: () =>
      acts
        ? "No manual procedure is written for this step yet: read its task's source (the state's Lambda function) and do what it does by hand, or wait for the automation."
        : 'Nothing to do by hand.',
  };
}

export function touchesText(touches: StepInfo['touches'], ctx: RunbookContext): string {
  const list = (Array.isArray(touches) ? touches : [touches]) as Touches[];
  const text: Record<Touches, string> = {
    primary: `${ctx.primary} (primary)`,
    recovery: `${ctx.recovery} (recovery)`,
    both: `${ctx.primary} (primary) and ${ctx.recovery} (recovery)`,
    route53: 'Route 53 (global; its API is in us-east-1)',
    state: `the state table and artifact bucket in ${ctx.recovery}`,
    hooks: 'the hook endpoints named in the plan',
    none: 'nothing outside the state machine',
  };
  return list.map((t) => text[t]).join('; ');
}
