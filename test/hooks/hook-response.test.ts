import { describe, expect, it } from 'vitest';
import {
  interpretLambdaResponse,
  interpretWebhookResponse,
  MAX_REASON_LENGTH,
  vetoIn,
} from '../../lambdas/hooks/hook-response';

describe('interpretWebhookResponse', () => {
  it('reads a 2xx JSON veto with its reason', () => {
    // Prepare, Act
    const verdict = interpretWebhookResponse(200, '{"veto":true,"reason":"change freeze until 18:00"}');

    // Assess
    expect(verdict).toEqual({ kind: 'veto', reason: 'change freeze until 18:00' });
  });

  it('treats any other 2xx as OK, whatever the body', () => {
    // Prepare, Act, Assess
    expect(interpretWebhookResponse(200, '')).toEqual({ kind: 'ok' });
    expect(interpretWebhookResponse(204, '')).toEqual({ kind: 'ok' });
    expect(interpretWebhookResponse(202, 'accepted')).toEqual({ kind: 'ok' });
    expect(interpretWebhookResponse(200, '{"veto":false,"reason":"fine"}')).toEqual({ kind: 'ok' });
    expect(interpretWebhookResponse(200, '{"veto":"true"}')).toEqual({ kind: 'ok' });
    expect(interpretWebhookResponse(200, '[{"veto":true}]')).toEqual({ kind: 'ok' });
  });

  it('gives a veto without a reason a placeholder reason', () => {
    // Prepare, Act, Assess
    expect(interpretWebhookResponse(200, '{"veto":true}')).toEqual({
      kind: 'veto',
      reason: 'no reason given',
    });
    expect(interpretWebhookResponse(201, '{"veto":true,"reason":"   "}')).toEqual({
      kind: 'veto',
      reason: 'no reason given',
    });
  });

  it('reads HTTP 409 as a veto, with the reason from JSON, text or the status', () => {
    // Prepare, Act, Assess
    expect(interpretWebhookResponse(409, '{"reason":"incident INC-42 open"}')).toEqual({
      kind: 'veto',
      reason: 'incident INC-42 open',
    });
    expect(interpretWebhookResponse(409, 'on-call says no')).toEqual({
      kind: 'veto',
      reason: 'on-call says no',
    });
    expect(interpretWebhookResponse(409, '')).toEqual({ kind: 'veto', reason: 'HTTP 409' });
  });

  it('retries 429 and 5xx', () => {
    // Prepare, Act, Assess
    for (const status of [429, 500, 502, 503, 504]) {
      expect(interpretWebhookResponse(status, 'busy')).toEqual({
        kind: 'failed',
        retryable: true,
        reason: `HTTP ${status}: busy`,
      });
    }
  });

  it('does not retry other 4xx or redirects', () => {
    // Prepare, Act, Assess
    for (const status of [400, 401, 403, 404, 410, 422]) {
      expect(interpretWebhookResponse(status, '')).toEqual({
        kind: 'failed',
        retryable: false,
        reason: `HTTP ${status}`,
      });
    }
    expect(interpretWebhookResponse(401, '{"reason":"bad signature"}')).toMatchObject({
      retryable: false,
      reason: 'HTTP 401: bad signature',
    });
    expect(interpretWebhookResponse(302, '')).toMatchObject({
      kind: 'failed',
      retryable: false,
      reason: expect.stringMatching(/redirect/),
    });
  });

  it('keeps reasons short and on one line', () => {
    // Prepare
    const long = 'x'.repeat(5000);

    // Act
    const veto = interpretWebhookResponse(
      200,
      JSON.stringify({ veto: true, reason: `line one\nline two ${long}` }),
    );
    const failure = interpretWebhookResponse(500, long);

    // Assess
    expect(veto.kind === 'veto' && veto.reason.startsWith('line one line two x')).toBe(true);
    expect(veto.kind === 'veto' && veto.reason.length).toBe(MAX_REASON_LENGTH);
    expect(failure.kind === 'failed' && failure.reason.length).toBe(MAX_REASON_LENGTH);
  });
});

describe('interpretLambdaResponse', () => {
  it('reads a veto, an OK and a function error', () => {
    // Prepare, Act, Assess
    expect(interpretLambdaResponse('{"veto":true,"reason":"no"}', undefined)).toEqual({
      kind: 'veto',
      reason: 'no',
    });
    expect(interpretLambdaResponse('null', undefined)).toEqual({ kind: 'ok' });
    expect(interpretLambdaResponse('', undefined)).toEqual({ kind: 'ok' });
    expect(interpretLambdaResponse('"done"', undefined)).toEqual({ kind: 'ok' });
    expect(
      interpretLambdaResponse('{"errorType":"TypeError","errorMessage":"x is undefined"}', 'Unhandled'),
    ).toEqual({
      kind: 'failed',
      retryable: false,
      reason: 'function error (Unhandled): TypeError: x is undefined',
    });
    expect(interpretLambdaResponse('{"veto":true}', 'Unhandled')).toMatchObject({ kind: 'failed' });
  });
});

describe('vetoIn', () => {
  it('only sees a veto in an object with veto: true', () => {
    // Prepare, Act, Assess
    expect(vetoIn({ veto: true, reason: 'r' })).toEqual({ reason: 'r' });
    expect(vetoIn({ veto: 1 })).toBeUndefined();
    expect(vetoIn(null)).toBeUndefined();
    expect(vetoIn('veto')).toBeUndefined();
  });
});
