/**
 * JSON documents in the versioned artifact bucket: DNS snapshots, recovery plans, inventories,
 * reports. States pass their keys, never their contents, so payloads stay small at any scale.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface StoredArtifact {
  readonly key: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly versionId?: string;
}

export class ArtifactStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async putJson(key: string, value: unknown): Promise<StoredArtifact> {
    const body = JSON.stringify(value);
    return this.putText(key, body, 'application/json');
  }

  async putText(key: string, body: string, contentType: string): Promise<StoredArtifact> {
    const sha256 = createHash('sha256').update(body).digest('hex');
    const { VersionId } = await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        Metadata: { sha256 },
      }),
    );
    return { key, sha256, bytes: Buffer.byteLength(body), versionId: VersionId };
  }

  async getJson<T>(key: string): Promise<T> {
    const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return JSON.parse(await (Body as { transformToString(): Promise<string> }).transformToString()) as T;
  }

  async getJsonIfExists<T>(key: string): Promise<T | undefined> {
    try {
      return await this.getJson<T>(key);
    } catch (error) {
      if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}

/** Keys for one run's documents: `runs/<app>/<runId>/<name>.json`. */
export function runArtifactKey(app: string, runId: string, name: string): string {
  return `runs/${app}/${runId}/${name}.json`;
}
