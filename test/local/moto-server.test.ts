import { createServer } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../../local/aws-environment';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { localPhysicalId } from '../../local/resolve-intrinsics';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('moto server', () => {
  let moto: MotoServer;
  let restoreEnv: () => void;

  beforeAll(async () => {
    moto = await startMotoServer();
    restoreEnv = useLocalAws(moto.endpoint);
  }, 30_000);

  afterAll(async () => {
    restoreEnv?.();
    await moto?.stop();
  });

  it('answers on /moto-api/ at its endpoint', async () => {
    expect(moto.endpoint).toBe(`http://127.0.0.1:${moto.port}`);
    const response = await fetch(`${moto.endpoint}/moto-api/`);
    expect(response.ok).toBe(true);
    await response.arrayBuffer();
  });

  it('serves SDK clients that only know AWS_ENDPOINT_URL, and reset() forgets everything', async () => {
    const dynamodb = new DynamoDBClient({});
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'moto-smoke',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).toContain('moto-smoke');
    await moto.reset();
    expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
  });

  it('accepts generated physical names as S3 buckets (path-style against an IP endpoint)', async () => {
    const bucket = localPhysicalId('PendulumPrimaryStack', 'ReplicationBucketA1B2C3D4', 'AWS::S3::Bucket');
    const s3 = new S3Client({});
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'hello' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await got.Body?.transformToString()).toBe('hello');
  });

  it('refuses a port that is already taken, saying so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await expect(startMotoServer({ port })).rejects.toThrow(/already in use/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('explains how to set moto up when the venv is missing', async () => {
    await expect(startMotoServer({ cwd: '/nonexistent-pendulum-dir' })).rejects.toThrow(
      'moto is not set up: run `npm run setup` (creates .venv with moto[server]==5.2.1)',
    );
  });

  it('stop() kills the process, is idempotent and leaves no orphan', async () => {
    const second = await startMotoServer();
    expect(processAlive(second.pid)).toBe(true);
    await second.stop();
    await second.stop();
    expect(processAlive(second.pid)).toBe(false);
    await expect(fetch(`${second.endpoint}/moto-api/`)).rejects.toThrow();
  }, 30_000);
});
