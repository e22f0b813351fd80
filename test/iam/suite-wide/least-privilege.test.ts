/**
 * Read once every other test file has run (vitest project `suite-wide`, group order 1): the IAM
 * ledger every enforced task run of the suite wrote (PENDULUM_LOCAL_IAM_LEDGER, set in
 * vitest.config.ts). It proves three things no single test can:
 * - every task handler of the stack ran under IAM enforcement somewhere in the suite;
 * - no product task was denied anything anywhere (a denial a handler swallowed would pass its test);
 * - no task role holds an action its task never called (against a reviewed list of known ones).
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stackNameFor } from '../../../lib/pendulum-app';
import { synthesizeTemplate } from '../../../lib/synthesize-template';
import { asList, roleOf, rolePolicies, statementsOf } from '../../../local/iam/role-policies';
import { lambdaFunctions } from '../../../local/synthesized-app';
import { samplePlan } from '../../support/sample-plan';
import knownUnused from './known-unused-grants.json';

interface LedgerLine {
  invoked?: string;
  handlerModule?: string;
  roleLogicalId?: string;
  action?: string;
  resource?: string;
  operation?: string;
  allowed?: boolean;
}

/** Actions the Lambda runtime uses for the function (logs, traces), not the handler. */
const RUNTIME_ACTIONS = /^(logs|xray):/;

const matches = (pattern: string, action: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  ).test(action);

describe('least privilege across the whole suite', () => {
  let lines: LedgerLine[] = [];
  const plan = samplePlan();
  const template = synthesizeTemplate(plan);
  const resolve = { region: plan.recoveryRegion, stackName: stackNameFor(plan), accountId: '123456789012' };
  const taskFunctions = lambdaFunctions(template, resolve);

  beforeAll(() => {
    const file = process.env.PENDULUM_LOCAL_IAM_LEDGER ?? '';
    if (!file || !existsSync(file)) throw new Error('no IAM ledger: run the whole suite (npm test)');
    lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LedgerLine);
  });

  it('ran every task handler of the stack under IAM enforcement', () => {
    const invoked = new Set(lines.flatMap((l) => (l.invoked ? [l.invoked] : [])));
    const never = [...new Set(taskFunctions.map((f) => f.handlerModule))]
      .filter((h) => !invoked.has(h))
      .sort();
    expect(never, 'handlers no test ran under enforcement').toEqual([]);
  });

  it('denied no product task anything, in any test', () => {
    const denied = lines
      .filter((l) => l.allowed === false && l.handlerModule?.startsWith('lambdas/'))
      .map((l) => `${l.handlerModule} ${l.operation}: ${l.action} on ${l.resource}`);
    expect([...new Set(denied)]).toEqual([]);
  });

  it('grants no task role an action its task never called (beyond the reviewed known ones)', () => {
    const used = new Map<string, Set<string>>();
    for (const l of lines)
      if (l.roleLogicalId && l.action && l.allowed)
        (used.get(l.roleLogicalId) ?? used.set(l.roleLogicalId, new Set()).get(l.roleLogicalId))?.add(
          l.action,
        );
    const roles = new Map(rolePolicies(template, resolve).map((r) => [r.logicalId, r]));
    const unused: Record<string, string[]> = {};
    for (const fn of taskFunctions) {
      const roleId = roleOf(template, fn.logicalId) ?? '';
      const granted = (roles.get(roleId)?.policies ?? []).flatMap((p) =>
        statementsOf(p.policy).flatMap((s) => (s.Effect === 'Allow' ? asList(s.Action) : [])),
      );
      const calls = [...(used.get(roleId) ?? [])];
      const never = [...new Set(granted)]
        .filter((action) => !RUNTIME_ACTIONS.test(action) && !calls.some((call) => matches(action, call)))
        .sort();
      if (never.length > 0) unused[fn.handlerModule] = never;
    }
    // handler → action → why it is granted although no test run called it.
    const known = Object.fromEntries(
      Object.entries(knownUnused as Record<string, Record<string, string>>).map(([h, actions]) => [
        h,
        Object.keys(actions),
      ]),
    );
    const added = Object.fromEntries(
      Object.entries(unused)
        .map(
          ([handler, actions]) =>
            [handler, actions.filter((a) => !(known[handler] ?? []).includes(a))] as const,
        )
        .filter(([, actions]) => actions.length > 0),
    );
    expect(added, 'granted but never called: remove the grant, or exercise it in a test').toEqual({});
    const stale = Object.fromEntries(
      Object.entries(known)
        .map(
          ([handler, actions]) =>
            [handler, actions.filter((a) => !(unused[handler] ?? []).includes(a))] as const,
        )
        .filter(([, actions]) => actions.length > 0),
    );
    expect(stale, 'known-unused-grants.json lists grants that are now used or gone: remove them').toEqual({});
  });
});
