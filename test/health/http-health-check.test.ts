import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type HttpHealthCheck,
  healthCheckUrl,
  runHttpHealthCheck,
} from '../../lambdas/health/http-health-check';
import { closedLoopbackPort } from '../hooks/webhook-receiver';

describe('healthCheckUrl', () => {
  it('replaces every {region}', () => {
    // Prepare, Act, Assess
    expect(healthCheckUrl('https://{region}.shop.example.com/health?r={region}', 'us-west-2')).toBe(
      'https://us-west-2.shop.example.com/health?r=us-west-2',
    );
    expect(healthCheckUrl('https://shop.example.com/health', 'us-west-2')).toBe(
      'https://shop.example.com/health',
    );
  });
});

describe('runHttpHealthCheck against a server on 127.0.0.1', () => {
  let server: Server;
  let origin: string;
  let seen: string[];
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      seen.push(`${req.method} ${url.pathname}${url.search}`);
      if (url.pathname === '/hang') return;
      if (url.pathname === '/moved') {
        res.writeHead(302, { Location: 'https://elsewhere.example.com/' });
        res.end();
        return;
      }
      const status = Number(url.searchParams.get('status') ?? '200');
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(100_000));
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    origin = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });
  beforeEach(() => {
    seen = [];
  });

  const check = (path: string, extra: Partial<HttpHealthCheck> = {}): HttpHealthCheck => ({
    name: 'storefront',
    url: `${origin}${path}`,
    expectStatus: 200,
    timeout: '5s',
    ...extra,
  });

  it('passes when the status is the one expected, calling the URL for the region', async () => {
    // Prepare
    const target = check('/health?region={region}');

    // Act
    const result = await runHttpHealthCheck(target, 'us-west-2');

    // Assess
    expect(result).toMatchObject({ name: 'storefront', ok: true, detail: 'HTTP 200' });
    expect(result.ms).toBeGreaterThanOrEqual(0);
    expect(seen).toEqual(['GET /health?region=us-west-2']);
  });

  it('fails on another status and says what it expected', async () => {
    // Prepare, Act
    const result = await runHttpHealthCheck(check('/health?status=503'), 'us-west-2');

    // Assess
    expect(result).toMatchObject({ ok: false, detail: 'HTTP 503, expected 200' });
  });

  it('honours a non-200 expected status', async () => {
    // Prepare, Act
    const result = await runHttpHealthCheck(check('/health?status=204', { expectStatus: 204 }), 'us-west-2');

    // Assess
    expect(result).toMatchObject({ ok: true, detail: 'HTTP 204' });
  });

  it('does not follow redirects', async () => {
    // Prepare, Act
    const result = await runHttpHealthCheck(check('/moved'), 'us-west-2');

    // Assess
    expect(result).toMatchObject({
      ok: false,
      detail: 'HTTP 302, expected 200 (redirect to https://elsewhere.example.com/)',
    });
    expect(seen).toEqual(['GET /moved']);
  });

  it('fails a server that does not answer within the timeout', async () => {
    // Prepare, Act
    const result = await runHttpHealthCheck(check('/hang', { timeout: '1s' }), 'us-west-2');

    // Assess
    expect(result).toMatchObject({ ok: false, detail: 'no answer within 1s' });
    expect(result.ms).toBeGreaterThanOrEqual(900);
    expect(result.ms).toBeLessThan(5_000);
  });

  it('fails when nothing listens', async () => {
    // Prepare
    const port = await closedLoopbackPort();

    // Act
    const result = await runHttpHealthCheck(
      check('', { url: `http://127.0.0.1:${port}/health` }),
      'us-west-2',
    );

    // Assess
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^request failed: .*ECONNREFUSED/);
  });
});
