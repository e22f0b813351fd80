/**
 * moto makes every image and snapshot available at once; real AWS takes minutes to hours. This
 * SDK middleware rewrites what moto answers, never what is asked: while `isPending()` holds, every
 * image and DB (cluster) snapshot the client reports is still being made.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';

type Middleware = Parameters<EC2Client['middlewareStack']['add']>[0];

export function pretendPending(
  client: { middlewareStack: { add(m: never, o: object): void } },
  isPending: () => boolean,
) {
  const middleware: Middleware = (next) => async (args) => {
    const result = await next(args);
    if (!isPending()) return result;
    const output = result.output as unknown as Record<string, unknown>;
    const images = (output.Images ?? []) as { State?: string }[];
    for (const image of images) if (image.State === 'available') image.State = 'pending';
    const snapshots = [
      ...((output.DBSnapshots ?? []) as { Status?: string }[]),
      ...(output.DBSnapshot ? [output.DBSnapshot as { Status?: string }] : []),
      ...((output.DBClusterSnapshots ?? []) as { Status?: string }[]),
      ...(output.DBClusterSnapshot ? [output.DBClusterSnapshot as { Status?: string }] : []),
    ];
    for (const snapshot of snapshots) if (snapshot.Status === 'available') snapshot.Status = 'creating';
    return result;
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'pretendPending' });
}
