/**
 * AWS's eventual consistency that moto does not have: a resource just made by RunInstances or
 * RestoreDBInstanceFromDBSnapshot is absent from the next describes that would return it. Wraps
 * the SDK's send for this test file only (forks pool: one process per file); off until `hideFor`.
 */
import { wrapSdkSend } from '../../local/sdk-send';

interface Visibility {
  /** Describes that miss each new resource; 0 is moto as it is. */
  misses: number;
  /** Only resources whose id matches are hidden. */
  matching: RegExp;
  readonly remaining: Map<string, number>;
}

const visibility: Visibility = { misses: 0, matching: /.*/, remaining: new Map() };

function hidden(id: string | undefined): boolean {
  if (!id) return false;
  const left = visibility.remaining.get(id) ?? 0;
  if (left <= 0) return false;
  visibility.remaining.set(id, left - 1);
  return true;
}

type Output = Record<string, unknown> & {
  Instances?: { InstanceId?: string }[];
  Reservations?: { Instances?: { InstanceId?: string }[] }[];
  DBInstance?: { DBInstanceIdentifier?: string };
  DBInstances?: { DBInstanceIdentifier?: string }[];
};

function afterCall(command: string, input: Record<string, unknown> | undefined, output: Output): Output {
  const made = (id: string | undefined) => {
    if (id && visibility.misses > 0 && visibility.matching.test(id))
      visibility.remaining.set(id, visibility.misses);
  };
  if (command === 'RunInstancesCommand') for (const i of output.Instances ?? []) made(i.InstanceId);
  if (command === 'RestoreDBInstanceFromDBSnapshotCommand') made(output.DBInstance?.DBInstanceIdentifier);
  if (command === 'DescribeInstancesCommand')
    return {
      ...output,
      Reservations: (output.Reservations ?? []).map((r) => ({
        ...r,
        Instances: (r.Instances ?? []).filter((i) => !hidden(i.InstanceId)),
      })),
    };
  if (command === 'DescribeDBInstancesCommand') {
    const DBInstances = (output.DBInstances ?? []).filter((d) => !hidden(d.DBInstanceIdentifier));
    if (input?.DBInstanceIdentifier && DBInstances.length === 0)
      throw Object.assign(new Error(`DBInstance ${String(input.DBInstanceIdentifier)} not found.`), {
        name: 'DBInstanceNotFoundFault',
      });
    return { ...output, DBInstances };
  }
  return output;
}

wrapSdkSend(
  'late-visibility',
  (send) =>
    function (this: unknown, command, ...rest) {
      const result = send.call(this as never, command, ...rest) as Promise<Output>;
      return result.then((output) => afterCall(command.constructor.name, command.input, output));
    },
);

/** From now on, each new resource whose id matches is missed by the next `misses` describes. */
export function hideNewResourcesFor(misses: number, matching: RegExp = /.*/): void {
  Object.assign(visibility, { misses, matching });
  visibility.remaining.clear();
}
