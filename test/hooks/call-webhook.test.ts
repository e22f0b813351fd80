import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callWebhook, type WebhookHook } from '../../lambdas/hooks/call-webhook';
import { retryDelayMs } from '../../lambdas/hooks/hook-budget';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../lambdas/hooks/sign-webhook';
import { closedLoopbackPort, startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

const SECRET = 'whsec_loopback-test';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hook-key-AbCdEf';
const BODY = '{"app":"shop","phase":"preFailover","runId":"run-7"}';
const AT = new Date('2025-03-01T12:00:00.000Z');

describe('callWebhook against a receiver on 127.0.0.1', () => {
  let receiver: WebhookReceiver;
  let sleeps: number[];
  const deps = (secret = SECRET) => ({
    readSecret: async (arn: string) => {
      if (arn !== SECRET_ARN) throw new Error(`unexpected secret ${arn}`);
      return secret;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    now: () => AT,
  });
  const hook = (path: string, overrides: Partial<WebhookHook> = {}): WebhookHook => ({
    url: `${receiver.origin}${path}`,
    secretArn: SECRET_ARN,
    timeout: '5s',
    retries: 2,
    ...overrides,
  });

  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.reset();
    sleeps = [];
  });

  it('POSTs the exact body, signed, with timestamp and delivery id', async () => {
    // Prepare
    const target = hook('/pendulum');

    // Act
    const result = await callWebhook(target, BODY, 'run-7.preFailover.0', deps());

    // Assess
    expect(result).toMatchObject({ outcome: 'ok', attempts: 1 });
    expect(result.reason).toBeUndefined();
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/pendulum', body: BODY, signatureValid: true });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers[DELIVERY_HEADER.toLowerCase()]).toBe('run-7.preFailover.0');
    expect(request?.headers[TIMESTAMP_HEADER.toLowerCase()]).toBe(String(AT.getTime() / 1000));
    expect(request?.headers[SIGNATURE_HEADER.toLowerCase()]).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('is refused by a receiver that checks signatures when signed with another key, and does not retry', async () => {
    // Prepare
    const target = hook('/pendulum');

    // Act
    const result = await callWebhook(target, BODY, 'd', deps('not-the-receivers-key'));

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', attempts: 1, reason: 'HTTP 401: bad signature' });
    expect(receiver.requests.map((r) => r.signatureValid)).toEqual([false]);
    expect(sleeps).toEqual([]);
  });

  it('reports a veto in a 2xx JSON body, and HTTP 409 as a veto', async () => {
    // Prepare
    receiver.respond((request) =>
      request.path === '/json'
        ? { status: 200, body: '{"veto":true,"reason":"change freeze"}' }
        : { status: 409, body: '{"reason":"incident open"}' },
    );

    // Act
    const json = await callWebhook(hook('/json'), BODY, 'd', deps());
    const conflict = await callWebhook(hook('/conflict'), BODY, 'd', deps());

    // Assess
    expect(json).toMatchObject({ outcome: 'veto', reason: 'change freeze', attempts: 1 });
    expect(conflict).toMatchObject({ outcome: 'veto', reason: 'incident open', attempts: 1 });
  });

  it('retries 5xx and 429 with the same body, signature and delivery id until it succeeds', async () => {
    // Prepare: fail twice, then succeed
    receiver.respond((request, count) => {
      if (!request.signatureValid) return { status: 401 };
      if (count === 1) return { status: 503, body: 'warming up' };
      if (count === 2) return { status: 429 };
      return { status: 200 };
    });

    // Act
    const result = await callWebhook(hook('/flaky', { retries: 2 }), BODY, 'run-7.preFailover.1', deps());

    // Assess
    expect(result).toMatchObject({ outcome: 'ok', attempts: 3 });
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.body))).toEqual(new Set([BODY]));
    expect(new Set(receiver.requests.map((r) => r.headers[DELIVERY_HEADER.toLowerCase()]))).toEqual(
      new Set(['run-7.preFailover.1']),
    );
    expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
    expect(sleeps).toEqual([retryDelayMs(1), retryDelayMs(2)]);
  });

  it('gives up after retries extra attempts and reports the last failure', async () => {
    // Prepare
    receiver.respond(() => ({ status: 500, body: 'boom' }));

    // Act
    const result = await callWebhook(hook('/down', { retries: 1 }), BODY, 'd', deps());

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', attempts: 2, reason: 'HTTP 500: boom' });
    expect(receiver.requests).toHaveLength(2);
  });

  it('does not retry a permanent 4xx', async () => {
    // Prepare
    receiver.respond(() => ({ status: 404, body: '' }));

    // Act
    const result = await callWebhook(hook('/missing', { retries: 5 }), BODY, 'd', deps());

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', attempts: 1, reason: 'HTTP 404' });
    expect(sleeps).toEqual([]);
  });

  it('does not follow redirects', async () => {
    // Prepare
    receiver.respond((request) =>
      request.path === '/moved' ? { status: 307, headers: { Location: '/elsewhere' } } : { status: 200 },
    );

    // Act
    const result = await callWebhook(hook('/moved'), BODY, 'd', deps());

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(result.reason).toMatch(/^HTTP 307.*redirects are not followed/);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/moved']);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    // Prepare
    receiver.respond(() => 'hang');

    // Act
    const result = await callWebhook(hook('/hang', { timeout: '1s', retries: 1 }), BODY, 'd', deps());

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', attempts: 2, reason: 'no answer within 1s' });
    expect(result.ms).toBeGreaterThanOrEqual(1_900);
    expect(result.ms).toBeLessThan(10_000);
    expect(receiver.requests).toHaveLength(2);
  });

  it('retries a refused connection', async () => {
    // Prepare
    const port = await closedLoopbackPort();

    // Act
    const result = await callWebhook(
      { url: `http://127.0.0.1:${port}/nobody`, secretArn: SECRET_ARN, timeout: '2s', retries: 1 },
      BODY,
      'd',
      deps(),
    );

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', attempts: 2 });
    expect(result.reason).toMatch(/^request failed: .*ECONNREFUSED/);
    expect(sleeps).toHaveLength(1);
  });

  it('fails without calling when the signing secret cannot be read', async () => {
    // Prepare
    const broken = { ...deps(), readSecret: async () => Promise.reject(new Error('AccessDenied')) };

    // Act
    const result = await callWebhook(hook('/pendulum'), BODY, 'd', broken);

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', attempts: 0 });
    expect(result.reason).toMatch(/could not read the signing secret .*AccessDenied/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('starts no attempt whose timeout would outlive the function deadline', async () => {
    // Prepare: 9s left, 5s of it reserved for returning: a 5s attempt does not fit
    const remainingMs = () => 9_000;

    // Act
    const result = await callWebhook(hook('/late'), BODY, 'd', { ...deps(), remainingMs });

    // Assess
    expect(result).toMatchObject({
      outcome: 'not-started',
      attempts: 0,
      reason: "4s left before the hook function's deadline, an attempt may take 5s",
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it('stops retrying when the backoff and another attempt no longer fit before the deadline', async () => {
    // Prepare: each answer uses up 4s of the function's time; 15s left at the start
    let remaining = 15_000;
    receiver.respond(() => {
      remaining -= 4_000;
      return { status: 503, body: 'busy' };
    });

    // Act
    const result = await callWebhook(hook('/busy', { retries: 3 }), BODY, 'd', {
      ...deps(),
      remainingMs: () => remaining,
    });

    // Assess: 11s left after the first answer (room for 250ms + 5s), 7s after the second (no room)
    expect(result).toMatchObject({
      outcome: 'failed',
      attempts: 2,
      reason: "HTTP 503: busy; not retried: 2s left before the hook function's deadline",
    });
    expect(receiver.requests).toHaveLength(2);
    expect(sleeps).toEqual([retryDelayMs(1)]);
  });
});

describe('retryDelayMs', () => {
  it('backs off from 250 ms and never waits more than 2 s', () => {
    // Prepare, Act, Assess
    expect([1, 2, 3, 4, 5, 6].map(retryDelayMs)).toEqual([250, 500, 1000, 2000, 2000, 2000]);
  });
});
