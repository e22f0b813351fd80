/**
 * IAM enforcement for the local AWS: every SDK call a task makes while the local runner runs it is
 * authorized against that task's role policies, as synthesized, by a real policy evaluator
 * (@cloud-copilot/iam-simulate, test-only). A denied call fails as AWS fails it; a call the harness
 * cannot model fails the execution loudly (never passes as allowed).
 *
 * Calls outside a task (the test or rehearsal seeding its estate, checks, the CLI) are the operator's
 * and are not evaluated. Every decision is kept in the ledger, for the coverage and least-privilege
 * tests and the rehearsal's count.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import { clientRegion, type SdkClient, type SdkCommand, wrapSdkSend } from '../sdk-send';
import { AccessDeniedError } from './access-denied';
import type { ResourceFacts } from './authorization-request';
import { decideCall, UnmodelledCallError } from './decide-call';
import type { NamedPolicy } from './role-policies';

/** Who a task runs as: its function, and the role the template gives it. */
export interface TaskPrincipal {
  readonly functionLogicalId: string;
  readonly handlerModule: string;
  readonly roleLogicalId: string;
  readonly roleArn: string;
  readonly policies: readonly NamedPolicy[];
  readonly facts: ResourceFacts;
}

export interface AuthorizationRecord {
  readonly functionLogicalId: string;
  readonly handlerModule: string;
  readonly roleLogicalId: string;
  /** `EC2.RunInstances`. */
  readonly operation: string;
  readonly action: string;
  readonly resource: string;
  readonly implicit?: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
  readonly allowed: boolean;
  readonly reason?: string;
}

/**
 * `enforce` denies; `audit` lets a call AWS would deny go on, and reports it (to find every denial
 * of a change in one run: `PENDULUM_LOCAL_IAM=audit npm test`).
 */
export type EnforcementMode = 'enforce' | 'audit';

interface TaskScope {
  readonly principal: TaskPrincipal;
  readonly mode: EnforcementMode;
  /** Problems of the harness itself (an unmodelled operation): they fail the execution. */
  readonly faults: string[];
}

const currentTask = new AsyncLocalStorage<TaskScope>();

/**
 * Every invocation and decision as a JSON line in PENDULUM_LOCAL_IAM_LEDGER, when set: how the
 * suite-wide least-privilege tests see every run of every test file (and a way to read what a run
 * asked for).
 */
function writeLedgerLine(line: object): void {
  const file = process.env.PENDULUM_LOCAL_IAM_LEDGER;
  if (file) appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/** Runs harness work (emulator adapters, fact reads) as nobody: its calls are not the task's. */
export function outsideTask<T>(body: () => T): T {
  return currentTask.exit(body);
}

/** Every decision made in this process since the last `clear()`. */
export const iamLedger = {
  records: [] as AuthorizationRecord[],
  clear(): void {
    this.records.length = 0;
  },
  denied(): AuthorizationRecord[] {
    return this.records.filter((r) => !r.allowed);
  },
};

/**
 * Runs `body` as the task: its AWS calls are authorized against the principal's policies. Resolves
 * to the body's outcome and the harness faults seen meanwhile.
 */
export async function runAsTask<T>(
  principal: TaskPrincipal,
  body: () => Promise<T>,
  mode: EnforcementMode = 'enforce',
): Promise<{ outcome: PromiseSettledResult<T>; faults: string[] }> {
  const scope: TaskScope = { principal, mode, faults: [] };
  writeLedgerLine({ invoked: principal.handlerModule, roleLogicalId: principal.roleLogicalId });
  const outcome = await currentTask.run(scope, async () => {
    try {
      return { status: 'fulfilled', value: await body() } as const;
    } catch (reason) {
      return { status: 'rejected', reason } as const;
    }
  });
  return { outcome, faults: scope.faults };
}

/** `EC2Client` → `EC2`; the DynamoDB document client's calls are DynamoDB's. */
function serviceOf(client: SdkClient): string {
  return client.constructor.name.replace(/Client$/, '').replace(/^DynamoDBDocument$/, 'DynamoDB');
}

async function authorize(
  scope: TaskScope,
  service: string,
  operation: string,
  input: unknown,
  region: string,
) {
  const { principal } = scope;
  let decided: Awaited<ReturnType<typeof decideCall>>;
  try {
    // What AWS reads to authorize is the harness's reading, not the task's call.
    decided = await currentTask.exit(() => decideCall(principal, { service, operation, input, region }));
  } catch (error) {
    const fault =
      error instanceof UnmodelledCallError
        ? `${error.message} (called by ${principal.handlerModule}); add it to local/iam/operations`
        : `the local IAM layer could not authorize ${service}.${operation}: ${(error as Error).message}`;
    scope.faults.push(fault);
    throw new Error(fault);
  }
  for (const { request, decision } of decided) {
    const record: AuthorizationRecord = {
      functionLogicalId: principal.functionLogicalId,
      handlerModule: principal.handlerModule,
      roleLogicalId: principal.roleLogicalId,
      operation: `${service}.${operation}`,
      action: request.action,
      resource: request.resource,
      ...(request.implicit ? { implicit: request.implicit } : {}),
      ...(request.context ? { context: request.context } : {}),
      allowed: decision.allowed,
      ...(decision.allowed ? {} : { reason: decision.reason }),
    };
    iamLedger.records.push(record);
    writeLedgerLine(record);
    if (!decision.allowed && scope.mode === 'audit') {
      console.warn(
        `local IAM would deny: ${principal.handlerModule} ${service}.${operation} ${request.action} on ${request.resource}${request.implicit ? ` (${request.implicit})` : ''}`,
      );
    } else if (!decision.allowed) {
      throw new AccessDeniedError(
        service,
        principal.roleArn,
        request.action,
        request.resource,
        decision.reason,
      );
    }
  }
}

/**
 * Authorizes every SDK v3 call made inside a task, whichever client makes it (idempotent).
 * Outside a task it does nothing.
 */
export function installIamEnforcement(): void {
  wrapSdkSend(
    'iam',
    (send) =>
      function (this: SdkClient, command: SdkCommand, ...rest: unknown[]) {
        const scope = currentTask.getStore();
        if (!scope) return send.call(this, command, ...rest);
        if (typeof rest.at(-1) === 'function') {
          const fault = `${serviceOf(this)}: a callback-style SDK call inside a task is not authorized locally; await send() instead`;
          scope.faults.push(fault);
          throw new Error(fault);
        }
        return (async () => {
          const operation = command.constructor.name.replace(/Command$/, '');
          await authorize(scope, serviceOf(this), operation, command.input, await clientRegion(this));
          return send.call(this, command, ...rest);
        })();
      },
  );
}
