/**
 * The operator's runbook, in Markdown, from the plan and the workflows exactly as synthesized:
 * every state of every workflow in execution order, what it does, where it acts, its gates,
 * and what to do by hand when the automation is unavailable. Deterministic (no dates), so it can
 * be kept in a repository and diffed when the plan or Pendulum changes.
 */
import type { Plan } from '../../lambdas/plan/plan-schema';
import { type AslDefinitionLike, type AslState, walkStates } from './asl-walk';
import { type RunbookContext, runbookContext } from './runbook-context';
import { genericStep, STEP_CATALOGUE, type StepInfo, touchesText } from './step-catalogue';

export interface RunbookMachine {
  readonly name: string;
  readonly definition: AslDefinitionLike & { Comment?: string };
}

export interface RunbookInput {
  readonly plan: Plan;
  /** As the operator passes it to `--plan`. */
  readonly planFile: string;
  readonly stackName: string;
  readonly machines: readonly RunbookMachine[];
}

interface WorkflowDoc {
  readonly title: string;
  readonly when: string;
  readonly input: string;
  readonly cli: (planFile: string) => string[];
}

const WORKFLOWS: Record<string, WorkflowDoc> = {
  failover: {
    title: 'Failover',
    when: 'The primary region (or the app in it) is down and will not be back within the RTO.',
    input:
      '`{}` fails over to the latest recovery points. Optional fields: `recoveryPoint` (`"latest"` or an ISO-8601 time: the newest point at or before it), `force` (accept points older than the RPO), `dryRun` (show the change set, write nothing), `reason` (text kept with the run).',
    cli: (f) => [
      `pendulum plan failover --plan ${f}          # the change set, nothing written`,
      `pendulum failover --plan ${f} --reason "<incident>"`,
    ],
  },
  failback: {
    title: 'Failback',
    when: 'The primary region is healthy again and the app should go home, within a failback window.',
    input:
      '`{}` fails back as the plan says. Optional fields: `strategy` (`cutover` or `staged`), `prefer` (`failback` or `current`, for records changed on both sides), `steps` (e.g. `[10, 50, 100]`), `dryRun`.',
    cli: (f) => [`pendulum plan failback --plan ${f}`, `pendulum failback --plan ${f}`],
  },
  retirement: {
    title: 'Scheduled retirement',
    when: 'Started by the one-time schedule a failback makes when its soak is longer than 7 days; by hand only to retire the recovery copies before then.',
    input:
      'The schedule\'s input: `{ "run": <the failback\'s run>, "retireAt": "<T>" }` (`aws scheduler get-schedule --group-name <group> --name <app>-retire-<episode> --query Target.Input`).',
    cli: () => [],
  },
  drill: {
    title: 'Drill',
    when: 'On schedule or before a risky change: rehearse a failover in the recovery region without touching production DNS.',
    input: '`{}`.',
    cli: (f) => [`pendulum drill --plan ${f}`],
  },
  protect: {
    title: 'Protect',
    when: 'Runs on schedule; run it by hand before planned work, or when `pendulum status` shows a tier over its RPO.',
    input: '`{}` protects every tier; `{"tiers": ["data"]}` only those named.',
    cli: (f) => [`pendulum protect --plan ${f}`, `pendulum protect --plan ${f} --tier <name>`],
  },
  register: {
    title: 'Register',
    when: 'Once after the first deploy (and harmlessly after every deploy).',
    input: '`{}`.',
    cli: (f) => [`pendulum register --plan ${f}`],
  },
};

const ORDER = ['failover', 'failback', 'retirement', 'drill', 'protect', 'register'];

/** Lambda service errors and throttling, retried on every task: not worth a line per step. */
const ROUTINE_ERRORS =
  /^(Lambda\.|ThrottlingException$|Throttling$|RequestLimitExceeded$|TooManyRequestsException$|PriorRequestNotComplete$|ServiceUnavailable$|InternalError$|InternalFailure$)/;

function seconds(value: unknown): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  if (n < 120) return `${n}s`;
  if (n < 7200) return `${Math.round(n / 60)}m`;
  return `${Math.round(n / 3600)}h`;
}

function condition(rule: Record<string, unknown>): string {
  const variable = rule.Variable;
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    if (key === 'And' || key === 'Or')
      return (value as Record<string, unknown>[]).map(condition).join(key === 'And' ? ' and ' : ' or ');
    if (key === 'Not') return `not (${condition(value as Record<string, unknown>)})`;
    return `\`${String(variable)}\` ${key} \`${JSON.stringify(value)}\``;
  }
  return JSON.stringify(rule);
}

function stateDetails(
  inside: string | undefined,
  state: AslState,
  info: StepInfo,
  ctx: RunbookContext,
): string[] {
  const lines: string[] = [];
  const does =
    typeof state.Comment === 'string' && state.Comment !== ''
      ? state.Comment
      : typeof info.does === 'function'
        ? info.does(ctx)
        : info.does;
  lines.push(`- **What it does:** ${does}`);
  lines.push(`- **Touches:** ${touchesText(info.touches, ctx)}`);
  if (info.gate) lines.push(`- **Gate:** ${info.gate(ctx)}`);
  if (state.Type === 'Choice' && Array.isArray(state.Choices)) {
    const rules = (state.Choices as Record<string, unknown>[]).map(
      (c) => `${condition(c)} → ${String(c.Next)}`,
    );
    if (typeof state.Default === 'string') rules.push(`otherwise → ${state.Default}`);
    lines.push(`- **Decides:** ${rules.join('; ')}`);
  }
  if (state.Type === 'Wait') {
    const wait = state.Seconds ?? state.SecondsPath ?? state.Timestamp ?? state.TimestampPath;
    lines.push(`- **Waits:** ${state.Seconds !== undefined ? seconds(state.Seconds) : String(wait)}`);
  }
  if (state.Type === 'Map') {
    const items = state.ItemsPath ?? state.Items ?? '$';
    const concurrency = state.MaxConcurrency;
    lines.push(
      `- **Runs:** its steps once per item of \`${String(items)}\`${concurrency === 1 ? ', one at a time' : concurrency ? `, ${concurrency} at a time` : ''}`,
    );
  }
  const retries = ((state.Retry as Record<string, unknown>[] | undefined) ?? []).filter(
    (r) => !(r.ErrorEquals as string[]).every((e) => ROUTINE_ERRORS.test(e)),
  );
  for (const r of retries)
    lines.push(
      `- **Retries:** ${(r.ErrorEquals as string[]).join(', ')}: up to ${r.MaxAttempts ?? 3} more attempt(s), first after ${seconds(r.IntervalSeconds ?? 1)}${Number(r.BackoffRate ?? 2) !== 1 ? ` (×${r.BackoffRate ?? 2} each time${r.MaxDelaySeconds ? `, at most ${seconds(r.MaxDelaySeconds)}` : ''})` : ''}`,
    );
  for (const c of (state.Catch as Record<string, unknown>[] | undefined) ?? [])
    lines.push(`- **On error:** ${(c.ErrorEquals as string[]).join(', ')} → ${String(c.Next)}`);
  if (typeof state.TimeoutSeconds === 'number' && state.Type === 'Task')
    lines.push(`- **Times out after:** ${seconds(state.TimeoutSeconds)}`);
  if (typeof state.Next === 'string') lines.push(`- **Next:** ${state.Next}`);
  else if (state.End === true)
    lines.push(`- **Next:** none; ${inside ? `this ends its part of ${inside}` : 'this ends the workflow'}`);
  const fallback = info.fallback(ctx);
  lines.push(`- **Manual fallback:**${fallback.includes('\n') ? '' : ` ${fallback}`}`);
  if (fallback.includes('\n')) {
    lines.push('');
    lines.push(
      fallback
        .split('\n')
        .map((l) => (l === '' ? '' : `  ${l}`))
        .join('\n'),
    );
  }
  return lines;
}

function workflowSection(
  machine: RunbookMachine,
  workflow: string,
  input: RunbookInput,
  ctx: RunbookContext,
): string[] {
  const doc: WorkflowDoc = WORKFLOWS[workflow] ?? {
    title: workflow,
    when: "See the workflow's description.",
    input: '`{}`.',
    cli: () => [],
  };
  const lines: string[] = [];
  const walked = walkStates(machine.definition);
  lines.push(`## ${doc.title}`, '');
  if (machine.definition.Comment) lines.push(`${machine.definition.Comment}.`, '');
  lines.push(`**When:** ${doc.when}`, '');
  lines.push('**Start it**', '');
  lines.push(
    `- Console: Step Functions in **${ctx.recovery}** → State machines → \`${machine.name}\` → Start execution, with input ${doc.input}`,
  );
  const cli = doc.cli(input.planFile);
  if (cli.length > 0) {
    lines.push('- Pendulum CLI:', '', '  ```sh', ...cli.map((c) => `  ${c}`), '  ```', '');
  }
  lines.push(
    '- AWS CLI:',
    '',
    '  ```sh',
    `  aws stepfunctions start-execution --region ${ctx.recovery} \\`,
    `    --state-machine-arn arn:aws:states:${ctx.recovery}:$(aws sts get-caller-identity --query Account --output text):stateMachine:${machine.name} \\`,
    `    --name ${workflow}-$(date -u +%Y%m%dT%H%M)-manual --input '{}'`,
    '  ```',
    '',
  );
  lines.push(
    `**Steps**, in execution order (${walked.length}; indented ones run inside the step above them):`,
    '',
  );
  lines.push('| # | Step | Type | Touches |', '| --- | --- | --- | --- |');
  walked.forEach((w, i) => {
    const info = STEP_CATALOGUE[w.name] ?? genericStep(String(w.state.Type));
    lines.push(
      `| ${i + 1} | ${'↳ '.repeat(w.depth)}${w.name} | ${w.state.Type} | ${touchesText(info.touches, ctx)} |`,
    );
  });
  lines.push('');
  walked.forEach((w, i) => {
    const info = STEP_CATALOGUE[w.name] ?? genericStep(String(w.state.Type));
    lines.push(
      `### ${doc.title} ${i + 1}. ${w.name} (${w.state.Type}${w.parent ? `, inside ${w.parent}` : ''})`,
      '',
    );
    lines.push(...stateDetails(w.parent, w.state, info, ctx), '');
  });
  return lines;
}

function overview(input: RunbookInput, ctx: RunbookContext): string[] {
  const { plan } = input;
  const lines: string[] = [];
  lines.push(`# Runbook: ${plan.app}`, '');
  lines.push(
    `Generated by \`pendulum runbook --plan ${input.planFile}\` from the plan and the workflows as synthesized; regenerate it whenever the plan or Pendulum changes. Nothing in it is secret.`,
    '',
  );
  lines.push('## The application', '');
  lines.push(
    `- **App:** \`${plan.app}\`, normally in **${plan.primaryRegion}**, fails over to **${plan.recoveryRegion}**.`,
  );
  lines.push(
    `- **Pendulum stack:** \`${input.stackName}\` in ${plan.recoveryRegion} (it must not be down with the primary).`,
  );
  lines.push(`- **State machines:** ${input.machines.map((m) => `\`${m.name}\``).join(', ')}`);
  lines.push('');
  lines.push('| Tier (in recovery order) | RPO | RTO | Resources |', '| --- | --- | --- | --- |');
  for (const tier of plan.tiers) {
    const resources = tier.resources.map((r) =>
      'ec2' in r
        ? `EC2 role \`${r.ec2.role}\` (${r.ec2.ids ? r.ec2.ids.join(', ') : `tag ${r.ec2.tag?.key}=${r.ec2.tag?.value}`})`
        : 'rds' in r
          ? `RDS \`${r.rds.identifier}\`${r.rds.replicaIdentifier ? ` (replica \`${r.rds.replicaIdentifier}\`)` : ' (snapshots)'}`
          : `Aurora \`${r.aurora.clusterIdentifier}\``,
    );
    lines.push(`| ${tier.name} | ${tier.rpo} | ${tier.rto} | ${resources.join('; ')} |`);
  }
  lines.push('');
  const records = plan.dns.zones.flatMap((z) => z.records.map((r) => ({ zone: z.name, ...r })));
  if (records.length > 0) {
    lines.push('| Managed record | Type | Points to (after failover) |', '| --- | --- | --- |');
    for (const r of records) {
      const target =
        'role' in r.target
          ? `recovered \`${r.target.role}\` instances`
          : 'database' in r.target
            ? `recovered database \`${r.target.database}\``
            : Object.entries(r.target.values)
                .map(([region, values]) => `${region}: ${values.join(', ')}`)
                .join('; ');
      lines.push(`| \`${r.name}\` (${r.zone}) | ${r.type} | ${target} |`);
    }
    lines.push(
      '',
      'Every other record in these zones is left alone by failover and kept as it is by failback.',
      '',
    );
  }
  lines.push(
    `- **Health checks** (in the region being moved to, before DNS points there): ${
      plan.healthChecks.length === 0
        ? 'none'
        : plan.healthChecks
            .map((h) =>
              h.url ? `\`${h.name}\` ${h.url} → ${h.expectStatus}` : `\`${h.name}\` alarm ${h.alarmName} OK`,
            )
            .join('; ')
    }`,
  );
  const hookCount = Object.values(plan.hooks).reduce((n, hooks) => n + hooks.length, 0);
  lines.push(
    `- **Hooks:** ${
      hookCount === 0
        ? 'none'
        : Object.entries(plan.hooks)
            .filter(([, h]) => h.length > 0)
            .map(([phase, h]) => `${phase} (${h.length})`)
            .join(', ')
    }`,
  );
  lines.push(
    `- **Triggers:** ${plan.triggers.alarms.length === 0 ? 'no alarms' : plan.triggers.alarms.map((a) => `\`${a}\``).join(', ')}; mode **${plan.triggers.mode}**${
      plan.triggers.mode === 'approval'
        ? ` (a person approves with \`pendulum approve --plan ${input.planFile} --by <name> --reason <text>\` within ${plan.triggers.approvalTimeout}, else ${plan.triggers.onApprovalTimeout})`
        : ''
    }`,
  );
  lines.push(
    `- **Failback:** ${plan.failback.strategy}${plan.failback.strategy === 'staged' ? ` in steps ${plan.failback.steps.join(' → ')}% (each held ${plan.failback.stepHold})` : ''}; recovery copies kept ${plan.failback.soak} after; ${
      plan.failback.windows.length === 0
        ? 'any time'
        : `windows ${plan.failback.windows.map((w) => `${w.cron} ${w.timezone} for ${w.duration}`).join('; ')}`
    }`,
  );
  lines.push('');
  lines.push('## Before you start', '');
  lines.push(
    `1. See where things stand: \`pendulum status --plan ${input.planFile}\` (app status, who holds the lock, last runs, recovery point age per tier).`,
    `2. For the manual steps below, set these once (they read the stack's outputs):`,
    '',
    '   ```sh',
    ...ctx.variables.split('\n').map((l) => `   ${l}`),
    '   ```',
    '',
    '3. Every workflow can be started from the console with input `{}`; the steps below say what each one does and what to do by hand if the automation itself is unavailable.',
    '',
  );
  return lines;
}

export function renderRunbook(input: RunbookInput): string {
  const ctx = runbookContext(input.plan, input.stackName);
  const byWorkflow = new Map<string, RunbookMachine>();
  const prefix = `pendulum-${input.plan.app}-`;
  for (const machine of input.machines)
    if (machine.name.startsWith(prefix)) byWorkflow.set(machine.name.slice(prefix.length), machine);
  const workflows = [
    ...ORDER.filter((w) => byWorkflow.has(w)),
    ...[...byWorkflow.keys()].filter((w) => !ORDER.includes(w)).sort(),
  ];
  const lines = overview(input, ctx);
  for (const workflow of workflows) {
    const machine = byWorkflow.get(workflow);
    if (machine) lines.push(...workflowSection(machine, workflow, input, ctx));
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** Synthesizes the stack for the plan (in-process, no AWS) and renders its runbook. */
export async function buildRunbook(plan: Plan, planFile: string): Promise<string> {
  const [{ synthesizeTemplate }, { stateMachines }, { stackNameFor }] = await Promise.all([
    import('../../lib/synthesize-template'),
    import('../../local/synthesized-app'),
    import('../../lib/pendulum-app'),
  ]);
  const stackName = stackNameFor(plan);
  const template = synthesizeTemplate(plan);
  const machines = stateMachines(template, { region: plan.recoveryRegion, stackName }).map((m) => ({
    name: m.name,
    definition: m.definition,
  }));
  return renderRunbook({ plan, planFile, stackName, machines });
}
