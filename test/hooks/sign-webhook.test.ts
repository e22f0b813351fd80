import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
  webhookDeliveryId,
  webhookSignature,
} from '../../lambdas/hooks/sign-webhook';

const secret = 'whsec_test-key';
const body = '{"app":"shop","phase":"preFailover","runId":"run-1","note":"café ✓"}';
const at = new Date('2025-03-01T12:00:00.750Z');

describe('signWebhook', () => {
  it('signs the exact body bytes with HMAC-SHA256 and sends timestamp and delivery id', () => {
    // Prepare
    const expected = createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex');

    // Act
    const headers = signWebhook(body, secret, { deliveryId: 'run-1.preFailover.0', at });

    // Assess
    expect(headers).toEqual({
      [SIGNATURE_HEADER]: `sha256=${expected}`,
      [TIMESTAMP_HEADER]: String(Math.floor(at.getTime() / 1000)),
      [DELIVERY_HEADER]: 'run-1.preFailover.0',
    });
    expect(webhookSignature(Buffer.from(body, 'utf8'), secret)).toBe(expected);
  });

  it('matches a fixed vector', () => {
    // Prepare, Act, Assess: RFC 4231 test case 2
    expect(webhookSignature('what do ya want for nothing?', 'Jefe')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('accepts a binary key', () => {
    // Prepare
    const key = Buffer.from([0, 1, 2, 250, 255]);

    // Act
    const signature = webhookSignature(body, key);

    // Assess
    expect(signature).toBe(createHmac('sha256', key).update(body).digest('hex'));
  });
});

describe('webhookDeliveryId', () => {
  it('is deterministic per run, phase and hook index, so retries share it', () => {
    // Prepare, Act, Assess
    expect(webhookDeliveryId('run-1', 'preFailover', 0)).toBe('run-1.preFailover.0');
    expect(webhookDeliveryId('run-1', 'preFailover', 0)).toBe(webhookDeliveryId('run-1', 'preFailover', 0));
    expect(webhookDeliveryId('run-1', 'preFailover', 1)).not.toBe(
      webhookDeliveryId('run-1', 'preFailover', 0),
    );
    expect(webhookDeliveryId('run-1', 'postFailover', 0)).not.toBe(
      webhookDeliveryId('run-1', 'preFailover', 0),
    );
  });

  it('hashes run ids that are not header-safe, still deterministically', () => {
    // Prepare
    const odd = 'run with spaces\nand a newline';

    // Act
    const id = webhookDeliveryId(odd, 'preFailback', 2);

    // Assess
    expect(id).toMatch(/^[0-9a-f]{32}\.preFailback\.2$/);
    expect(webhookDeliveryId(odd, 'preFailback', 2)).toBe(id);
    expect(webhookDeliveryId('run with spaces', 'preFailback', 2)).not.toBe(id);
  });
});

describe('verifyWebhookSignature', () => {
  const headers = signWebhook(body, secret, { deliveryId: 'd', at });

  it('accepts a genuine signature, from fetch Headers or Node headers in any case', () => {
    // Prepare
    const nodeHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

    // Act, Assess
    expect(verifyWebhookSignature(body, headers, secret)).toBe(true);
    expect(verifyWebhookSignature(body, new Headers(headers), secret)).toBe(true);
    expect(verifyWebhookSignature(Buffer.from(body), nodeHeaders, secret)).toBe(true);
    expect(
      verifyWebhookSignature(
        body,
        { ...nodeHeaders, 'x-pendulum-signature': [headers[SIGNATURE_HEADER] ?? ''] },
        secret,
      ),
    ).toBe(true);
  });

  it('rejects another body, another secret, and missing or malformed signatures', () => {
    // Prepare
    const signature = headers[SIGNATURE_HEADER] ?? '';
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;

    // Act, Assess
    expect(verifyWebhookSignature(`${body} `, headers, secret)).toBe(false);
    expect(verifyWebhookSignature(body, headers, 'another-secret')).toBe(false);
    expect(verifyWebhookSignature(body, {}, secret)).toBe(false);
    expect(verifyWebhookSignature(body, { [SIGNATURE_HEADER]: flipped }, secret)).toBe(false);
    expect(verifyWebhookSignature(body, { [SIGNATURE_HEADER]: signature.slice(7) }, secret)).toBe(false);
    expect(verifyWebhookSignature(body, { [SIGNATURE_HEADER]: 'sha256=abc' }, secret)).toBe(false);
    expect(verifyWebhookSignature(body, { [SIGNATURE_HEADER]: `sha256=${'z'.repeat(64)}` }, secret)).toBe(
      false,
    );
  });

  it('checks the timestamp only when asked to, within the tolerance', () => {
    // Prepare
    const soon = new Date(at.getTime() + 60_000);
    const late = new Date(at.getTime() + 600_000);

    // Act, Assess
    expect(verifyWebhookSignature(body, headers, secret, { toleranceSeconds: 300, now: soon })).toBe(true);
    expect(verifyWebhookSignature(body, headers, secret, { toleranceSeconds: 300, now: late })).toBe(false);
    expect(verifyWebhookSignature(body, headers, secret, { now: late })).toBe(true);
    const noTimestamp = { [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER] ?? '' };
    expect(verifyWebhookSignature(body, noTimestamp, secret, { toleranceSeconds: 300, now: at })).toBe(false);
  });
});
