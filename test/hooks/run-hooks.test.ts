import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeRunHooksHandler, type RunHooksInput } from '../../lambdas/handlers/run-hooks';
import { makeSecretReader } from '../../lambdas/hooks/call-webhook';
import { DELIVERY_HEADER, verifyWebhookSignature } from '../../lambdas/hooks/sign-webhook';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { HookFailedError, HookVetoError, InvalidInputError } from '../../lambdas/runtime/task-errors';
import { useLocalAws } from '../../local/aws-environment';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { type FakeLambdaApi, startFakeLambdaApi } from './fake-lambda-api';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

const SIGNING_KEY = 'whsec_from-secrets-manager';
const GATE = 'arn:aws:lambda:us-west-2:123456789012:function:change-gate';
const NOW = new Date('2025-03-01T12:00:00.000Z');

const counted = new WeakSet<object>();

/** Counts requests a client sends, by command name (once per client, however often it is handed out). */
function countSends(client: { middlewareStack: { add(mw: unknown, opts: unknown): void } }, into: string[]) {
  if (counted.has(client)) return;
  counted.add(client);
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      into.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countSends' },
  );
}

describe('run-hooks (webhooks on 127.0.0.1, secrets in moto)', () => {
  let moto: MotoServer;
  let restoreAws: () => void;
  let receiver: WebhookReceiver;
  let lambdaApi: FakeLambdaApi;
  let clients: AwsClients;
  let secretArn: string;
  let secretsSent: string[];
  let sleeps: number[];
  const savedEnv = { ...process.env };

  const webhook = (path: string, extra: Record<string, unknown> = {}) => ({
    webhook: { url: `${receiver.origin}${path}`, secretArn, ...extra },
  });

  function usePlan(hooks: PlanInput['hooks']): void {
    const result = parsePlanObject({
      app: 'shop',
      primaryRegion: 'us-east-1',
      recoveryRegion: 'us-west-2',
      tiers: [
        {
          name: 'app',
          rpo: '1h',
          rto: '1h',
          resources: [{ ec2: { role: 'web', ids: ['i-0abc12345def67890'] } }],
        },
      ],
      hooks,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    process.env.PENDULUM_PLAN = JSON.stringify(result.plan);
  }

  const handler = () =>
    makeRunHooksHandler({
      clients,
      now: () => NOW,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

  const input = (overrides: Partial<RunHooksInput> = {}): RunHooksInput => ({
    phase: 'preFailover',
    runId: 'run-42',
    workflow: 'failover',
    region: 'us-west-2',
    reason: 'us-east-1 is down',
    ...overrides,
  });

  beforeAll(async () => {
    moto = await startMotoServer();
    restoreAws = useLocalAws(moto.endpoint, 'us-east-1');
    process.env.STATE_TABLE_NAME = 'pendulum-state';
    process.env.ARTIFACT_BUCKET_NAME = 'pendulum-artifacts';
    receiver = await startWebhookReceiver(SIGNING_KEY);
    lambdaApi = await startFakeLambdaApi();
    const created = await createAwsClients()
      .secretsManager('us-east-1')
      .send(new CreateSecretCommand({ Name: 'pendulum/hook-key', SecretString: SIGNING_KEY }));
    secretArn = created.ARN ?? '';
  }, 60_000);

  afterAll(async () => {
    restoreAws?.();
    for (const key of ['STATE_TABLE_NAME', 'ARTIFACT_BUCKET_NAME', 'PENDULUM_PLAN']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    await receiver?.close();
    await lambdaApi?.close();
    await moto?.stop();
  });

  beforeEach(() => {
    receiver.reset();
    lambdaApi.reset();
    secretsSent = [];
    sleeps = [];
    const real = createAwsClients();
    clients = {
      ...real,
      secretsManager: (region) => {
        const client = real.secretsManager(region);
        countSends(client as never, secretsSent);
        return client;
      },
      lambda: (region) => lambdaApi.client(region),
    };
  });

  it('calls every pre-phase hook in order with the same signed payload', async () => {
    // Prepare
    usePlan({ preFailover: [webhook('/first'), { lambda: { functionArn: GATE } }, webhook('/third')] });

    // Act
    const result = await handler()(input());

    // Assess
    expect(result.phase).toBe('preFailover');
    expect(result.results.map(({ hook, outcome, attempts }) => ({ hook, outcome, attempts }))).toEqual([
      { hook: `webhook ${receiver.origin}/first`, outcome: 'ok', attempts: 1 },
      { hook: `lambda ${GATE}`, outcome: 'ok', attempts: 1 },
      { hook: `webhook ${receiver.origin}/third`, outcome: 'ok', attempts: 1 },
    ]);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/first', '/third']);
    expect(receiver.requests.every((r) => verifyWebhookSignature(r.body, r.headers, SIGNING_KEY))).toBe(true);
    expect(receiver.requests.map((r) => r.headers[DELIVERY_HEADER.toLowerCase()])).toEqual([
      'run-42.preFailover.0',
      'run-42.preFailover.2',
    ]);
    const body = receiver.requests[0]?.body ?? '';
    expect(JSON.parse(body)).toEqual({
      app: 'shop',
      phase: 'preFailover',
      runId: 'run-42',
      workflow: 'failover',
      region: 'us-west-2',
      reason: 'us-east-1 is down',
      dryRun: false,
      sentAt: NOW.toISOString(),
    });
    expect(lambdaApi.invocations.map((i) => i.payload)).toEqual([body]);
    expect(receiver.requests[1]?.body).toBe(body);
    // One secret read for two webhooks sharing it.
    expect(secretsSent).toEqual(['GetSecretValueCommand']);
  });

  it('stops the run on a pre-phase veto, naming the hook and the reason, and calls no later hook', async () => {
    // Prepare
    usePlan({ preFailback: [webhook('/ok'), webhook('/freeze'), webhook('/never')] });
    receiver.respond((request) =>
      request.path === '/freeze'
        ? { status: 200, body: '{"veto":true,"reason":"change freeze"}' }
        : { status: 200 },
    );

    // Act
    const run = handler()(input({ phase: 'preFailback', workflow: 'failback', region: 'us-east-1' }));

    // Assess
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookVetoError);
    expect((error as HookVetoError).name).toBe('HookVetoError');
    expect((error as HookVetoError).message).toBe(
      `webhook ${receiver.origin}/freeze vetoed preFailback: change freeze`,
    );
    expect((error as HookVetoError).details).toMatchObject({
      phase: 'preFailback',
      hook: `webhook ${receiver.origin}/freeze`,
      reason: 'change freeze',
    });
    expect(receiver.requests.map((r) => r.path)).toEqual(['/ok', '/freeze']);
  });

  it('stops the run when a pre-phase hook still fails after its retries', async () => {
    // Prepare
    usePlan({ preFailover: [webhook('/down', { retries: 2 }), webhook('/never')] });
    receiver.respond((request) =>
      request.path === '/down' ? { status: 503, body: 'maintenance' } : { status: 200 },
    );

    // Act
    const error = await handler()(input()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(HookFailedError);
    expect((error as HookFailedError).message).toBe(
      `webhook ${receiver.origin}/down failed in preFailover after 3 attempt(s): HTTP 503: maintenance`,
    );
    expect(receiver.requests.map((r) => r.path)).toEqual(['/down', '/down', '/down']);
    expect(sleeps).toHaveLength(2);
  });

  it('stops the run on a Lambda hook veto in a pre phase', async () => {
    // Prepare
    usePlan({ preFailover: [{ lambda: { functionArn: GATE } }] });
    lambdaApi.define(GATE, { result: { veto: true, reason: 'deploy running' } });

    // Act
    const error = await handler()(input()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(HookVetoError);
    expect((error as Error).message).toBe(`lambda ${GATE} vetoed preFailover: deploy running`);
  });

  it('only records vetoes and failures in a post phase, and calls every hook', async () => {
    // Prepare
    usePlan({
      postFailover: [
        webhook('/veto'),
        webhook('/broken', { retries: 0 }),
        { lambda: { functionArn: GATE } },
        webhook('/ok'),
      ],
    });
    receiver.respond((request) => {
      if (request.path === '/veto') return { status: 409, body: 'too late to object' };
      if (request.path === '/broken') return { status: 400, body: '' };
      return { status: 204 };
    });
    lambdaApi.define(GATE, { functionError: { errorType: 'Error', errorMessage: 'boom' } });

    // Act
    const result = await handler()(input({ phase: 'postFailover', summary: { recordsChanged: 2 } }));

    // Assess
    expect(result.results.map(({ outcome, reason, attempts }) => ({ outcome, reason, attempts }))).toEqual([
      { outcome: 'veto', reason: 'too late to object', attempts: 1 },
      { outcome: 'failed', reason: 'HTTP 400', attempts: 1 },
      { outcome: 'failed', reason: 'function error (Unhandled): Error: boom', attempts: 1 },
      { outcome: 'ok', reason: undefined, attempts: 1 },
    ]);
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}').summary).toEqual({ recordsChanged: 2 });
  });

  it('starts no hook it cannot finish before the deadline and names every pre-phase hook that did not run', async () => {
    // Prepare: the first hook's answer comes late, leaving 12s of the function's time
    let remaining = 60_000;
    usePlan({
      preFailover: [
        webhook('/slow'),
        webhook('/needs-10s', { timeout: '10s' }),
        { lambda: { functionArn: GATE } },
      ],
    });
    receiver.respond(() => {
      remaining = 12_000;
      return { status: 200 };
    });

    // Act
    const error = await handler()(input(), { getRemainingTimeInMillis: () => remaining }).catch(
      (e: unknown) => e,
    );

    // Assess: a hook not run cannot agree, so the run stops (the state machine retries HookFailedError)
    expect(error).toBeInstanceOf(HookFailedError);
    expect((error as HookFailedError).message).toBe(
      `webhook ${receiver.origin}/needs-10s not started in preFailover: 7s left before the hook function's deadline, ` +
        `an attempt may take 10s; not run: webhook ${receiver.origin}/needs-10s, lambda ${GATE}`,
    );
    expect((error as HookFailedError).details).toMatchObject({
      notRun: [`webhook ${receiver.origin}/needs-10s`, `lambda ${GATE}`],
    });
    expect(receiver.requests.map((r) => r.path)).toEqual(['/slow']);
    expect(lambdaApi.invocations).toHaveLength(0);
  });

  it('reports post-phase hooks it had no time to start, without failing the phase', async () => {
    // Prepare: 20s left: room for a 10s webhook, not for a 30s lambda hook after it
    usePlan({ postFailover: [webhook('/ok'), { lambda: { functionArn: GATE } }] });

    // Act
    const result = await handler()(input({ phase: 'postFailover' }), {
      getRemainingTimeInMillis: () => 20_000,
    });

    // Assess
    expect(result.results.map(({ outcome, reason }) => ({ outcome, reason }))).toEqual([
      { outcome: 'ok', reason: undefined },
      {
        outcome: 'not-started',
        reason: "15s left before the hook function's deadline, an attempt may take 30s",
      },
    ]);
    expect(lambdaApi.invocations).toHaveLength(0);
  });

  it('fails a post phase over a hook that must pass, after calling every hook', async () => {
    // Prepare
    usePlan({
      postFailover: [
        webhook('/must', { retries: 0, mustPass: true }),
        webhook('/may', { retries: 0 }),
        webhook('/after'),
      ],
    });
    receiver.respond((request) =>
      request.path === '/after' ? { status: 200 } : { status: 500, body: 'down' },
    );

    // Act
    const error = await handler()(input({ phase: 'postFailover' })).catch((e: unknown) => e);

    // Assess: only the hook that must pass counts
    expect(error).toBeInstanceOf(HookFailedError);
    expect((error as Error).message).toBe(
      `postFailover: webhook ${receiver.origin}/must must pass but failed: HTTP 500: down`,
    );
    expect(receiver.requests.map((r) => r.path)).toEqual(['/must', '/may', '/after']);
  });

  it('ends a post phase with HookVetoError when a hook that must pass vetoes', async () => {
    // Prepare
    usePlan({ postFailback: [{ lambda: { functionArn: GATE, mustPass: true } }] });
    lambdaApi.define(GATE, { result: { veto: true, reason: 'smoke test failed' } });

    // Act
    const error = await handler()(input({ phase: 'postFailback', workflow: 'failback' })).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(HookVetoError);
    expect((error as Error).message).toBe(
      `postFailback: lambda ${GATE} must pass but vetoed: smoke test failed`,
    );
  });

  it('fails a pre phase whose webhook secret cannot be read, without calling the webhook', async () => {
    // Prepare
    usePlan({
      preFailover: [
        {
          webhook: {
            url: `${receiver.origin}/x`,
            secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf',
          },
        },
      ],
    });

    // Act
    const error = await handler()(input()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(HookFailedError);
    expect((error as Error).message).toMatch(/after 0 attempt\(s\): could not read the signing secret/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('calls nothing in a dry run and says what it would have called', async () => {
    // Prepare
    usePlan({ preFailover: [webhook('/first?token=abc'), { lambda: { functionArn: GATE } }] });

    // Act
    const result = await handler()(input({ dryRun: true }));

    // Assess
    expect(result).toEqual({
      phase: 'preFailover',
      results: [
        {
          hook: `webhook ${receiver.origin}/first?…`,
          outcome: 'skipped',
          reason: 'dry run',
          attempts: 0,
          ms: 0,
        },
        { hook: `lambda ${GATE}`, outcome: 'skipped', reason: 'dry run', attempts: 0, ms: 0 },
      ],
    });
    expect(receiver.requests).toHaveLength(0);
    expect(lambdaApi.invocations).toHaveLength(0);
    expect(secretsSent).toEqual([]);
  });

  it('returns no results for a phase without hooks', async () => {
    // Prepare
    usePlan({ preFailover: [webhook('/first')] });

    // Act
    const result = await handler()(input({ phase: 'postFailback' }));

    // Assess
    expect(result).toEqual({ phase: 'postFailback', results: [] });
  });

  it('rejects bad input before calling anything', async () => {
    // Prepare
    usePlan({ preFailover: [webhook('/first')] });

    // Act
    const error = await handler()({ ...input(), phase: 'midFailover', region: 'mars-1' }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/phase: .*; region: /);
    expect(receiver.requests).toHaveLength(0);
  });

  it('makeSecretReader reads a string or binary secret from its own region once per reader', async () => {
    // Prepare
    const real = createAwsClients();
    const regions: string[] = [];
    const sent: string[] = [];
    const counting: AwsClients = {
      ...real,
      secretsManager: (region) => {
        regions.push(region);
        const client = real.secretsManager(region);
        countSends(client as never, sent);
        return client;
      },
    };
    const west = real.secretsManager('us-west-2');
    const text = await west.send(new CreateSecretCommand({ Name: 'text-key', SecretString: 'k1' }));
    const binary = await west.send(
      new CreateSecretCommand({ Name: 'binary-key', SecretBinary: Buffer.from([1, 2, 3]) }),
    );
    const read = makeSecretReader(counting);

    // Act
    const first = await read(text.ARN ?? '');
    const again = await read(text.ARN ?? '');
    const bytes = await read(binary.ARN ?? '');

    // Assess
    expect(first).toBe('k1');
    expect(again).toBe('k1');
    expect(Buffer.from(bytes as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    expect(new Set(regions)).toEqual(new Set(['us-west-2']));
    expect(sent).toEqual(['GetSecretValueCommand', 'GetSecretValueCommand']);
  });
});
