/**
 * SDK clients, one per service and region, created on first use and reused across invocations.
 * Handlers take an `AwsClients` so tests can hand them clients pointed anywhere; endpoints come
 * from the SDK's own AWS_ENDPOINT_URL setting, never from our code.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './observability';

export interface AwsClients {
  ec2(region: string): EC2Client;
  rds(region: string): RDSClient;
  cloudWatch(region: string): CloudWatchClient;
  kms(region: string): KMSClient;
  lambda(region: string): LambdaClient;
  secretsManager(region: string): SecretsManagerClient;
  serviceQuotas(region: string): ServiceQuotasClient;
  route53(): Route53Client;
  dynamo(): DynamoDBDocumentClient;
  s3(): S3Client;
  sns(): SNSClient;
  /** EventBridge Scheduler in the stack's own region (the task's). */
  scheduler(): SchedulerClient;
}

type Middleware = (client: { middlewareStack: { use(plugin: unknown): void } }) => void;

/** Hooks for the benchmark: every client created afterwards gets these applied. */
const clientPlugins: Middleware[] = [];
export function addClientPlugin(plugin: Middleware): () => void {
  clientPlugins.push(plugin);
  return () => {
    const index = clientPlugins.indexOf(plugin);
    if (index >= 0) clientPlugins.splice(index, 1);
  };
}

function instrument<T extends { middlewareStack: { use(plugin: unknown): void } }>(client: T): T {
  for (const plugin of clientPlugins) plugin(client);
  return tracer.captureAWSv3Client(client);
}

/**
 * Control-plane calls (EC2, RDS, Route 53) share the account's request budget with every other
 * tool in it, and throttling is their normal answer under load: retry more than the SDK's default 3
 * attempts, in the adaptive mode that slows this client down when it is throttled (AWS SDKs and
 * Tools Reference Guide, "Retry behavior"; the EC2 and Route 53 throttling guides ask for backoff).
 */
const CONTROL_PLANE_RETRIES = { maxAttempts: 8, retryMode: 'adaptive' } as const;

export function createAwsClients(): AwsClients {
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    ec2: (region) =>
      once(`ec2:${region}`, () => instrument(new EC2Client({ region, ...CONTROL_PLANE_RETRIES }))),
    rds: (region) =>
      once(`rds:${region}`, () => instrument(new RDSClient({ region, ...CONTROL_PLANE_RETRIES }))),
    cloudWatch: (region) => once(`cw:${region}`, () => instrument(new CloudWatchClient({ region }))),
    kms: (region) => once(`kms:${region}`, () => instrument(new KMSClient({ region }))),
    lambda: (region) => once(`lambda:${region}`, () => instrument(new LambdaClient({ region }))),
    secretsManager: (region) =>
      once(`secrets:${region}`, () => instrument(new SecretsManagerClient({ region }))),
    serviceQuotas: (region) =>
      once(`quotas:${region}`, () => instrument(new ServiceQuotasClient({ region }))),
    // Route 53 is global; its API lives in us-east-1.
    route53: () =>
      once('route53', () => instrument(new Route53Client({ region: 'us-east-1', ...CONTROL_PLANE_RETRIES }))),
    dynamo: () =>
      once('dynamo', () =>
        DynamoDBDocumentClient.from(instrument(new DynamoDBClient({})), {
          marshallOptions: { removeUndefinedValues: true },
        }),
      ),
    // Path-style only where an endpoint override points at an emulator that has no virtual hosts.
    s3: () =>
      once('s3', () => instrument(new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) }))),
    sns: () => once('sns', () => instrument(new SNSClient({}))),
    scheduler: () => once('scheduler', () => instrument(new SchedulerClient({}))),
  };
}

let shared: AwsClients | undefined;
/** The process-wide clients a deployed handler uses when none are injected. */
export function defaultAwsClients(): AwsClients {
  shared ??= createAwsClients();
  return shared;
}

/** Forget cached clients, e.g. after the local harness changed AWS_ENDPOINT_URL. */
export function resetDefaultAwsClients(): void {
  shared = undefined;
}
