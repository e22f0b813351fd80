/**
 * "45 days later": what people did while production ran in the recovery region, compressed into
 * a few API calls. Failback has to carry every one of these home (see rehearsal-checks.ts).
 *
 * - DNS: a new TXT record, a new CNAME, a changed TTL on an unmanaged record, an unmanaged record
 *   deleted. None of them is a record Pendulum manages, so failback must keep all four as they are.
 * - EC2: one more web server started in the recovery region (tagged `pendulum-role=web`, so the
 *   plan's tag selector picks it up); failback must give it a counterpart at home.
 * - RDS: the recovery database and the recovery Aurora cluster took 45 days of writes, each marked
 *   with a tag so the new primary can be traced back to it; and someone created a reporting database there, with the app's tag, that
 *   the plan does not know: reconciliation must name it and say what happens to it.
 */
import { type Instance, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { AddTagsToResourceCommand, CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import type { SampleEstate } from '../../examples/sample-estate';
import { normaliseDnsName } from '../../lambdas/dns/dns-name';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import type { AwsClients } from '../../lambdas/runtime/aws-clients';
import { baseImageId, clusters, databases, tagOf } from './aws-reads';

/** What the 45 days change, by name: the checks look for exactly these. */
export interface InterimChangeSpec {
  readonly addedTxt: { readonly name: string; readonly value: string };
  readonly addedCname: { readonly name: string; readonly value: string };
  readonly ttlChanged: { readonly name: string; readonly type: string; readonly ttl: number };
  readonly deleted: { readonly name: string; readonly type: string; readonly setIdentifier: string };
  readonly addedInstance: { readonly role: string; readonly name: string };
  readonly databaseTag: { readonly key: string; readonly value: string };
  /** A database nobody told the plan about. */
  readonly addedDatabase: { readonly identifier: string; readonly subnetGroup: string };
}

export function interimChangeSpec(zoneName: string): InterimChangeSpec {
  // Names as people write them (no trailing dot); compared after normalising.
  const zone = normaliseDnsName(zoneName).replace(/\.$/, '');
  return {
    addedTxt: { name: `_verify.${zone}`, value: '"site-verification=45-days"' },
    addedCname: { name: `status.${zone}`, value: 'status.example.org' },
    ttlChanged: { name: `blog.${zone}`, type: 'CNAME', ttl: 900 },
    deleted: { name: `canary.${zone}`, type: 'A', setIdentifier: 'canary-green' },
    addedInstance: { role: 'web', name: 'web-added-in-recovery' },
    databaseTag: { key: 'data', value: '45-days-of-orders' },
    addedDatabase: { identifier: 'shop-reports', subnetGroup: 'shop-recovery-db' },
  };
}

/** What was done, with the ids AWS gave. */
export interface AppliedInterimChanges {
  readonly spec: InterimChangeSpec;
  readonly addedInstanceId: string;
  readonly addedDatabaseId: string;
  /** Recovery-region database identifier by the plan's identifier it stands in for. */
  readonly recoveryDatabases: Readonly<Record<string, string>>;
  /** Recovery-region Aurora cluster identifier by the plan's cluster identifier it stands in for. */
  readonly recoveryClusters: Readonly<Record<string, string>>;
  /** One line per change, for people. */
  readonly summary: string[];
}

function find(zone: ResourceRecordSet[], name: string, type: string, setIdentifier?: string) {
  return zone.find(
    (r) =>
      normaliseDnsName(r.Name ?? '') === normaliseDnsName(name) &&
      r.Type === type &&
      (setIdentifier === undefined || r.SetIdentifier === setIdentifier),
  );
}

export async function applyInterimChanges(
  clients: AwsClients,
  plan: Plan,
  estate: SampleEstate,
): Promise<AppliedInterimChanges> {
  const spec = interimChangeSpec(estate.zoneName);
  const route53 = clients.route53();
  const zone = await listZoneRecords(route53, estate.zoneId);
  const ttlTarget = find(zone, spec.ttlChanged.name, spec.ttlChanged.type);
  const deleteTarget = find(zone, spec.deleted.name, spec.deleted.type, spec.deleted.setIdentifier);
  if (!ttlTarget || !deleteTarget)
    throw new Error(
      `the sample zone lacks ${ttlTarget ? '' : `${spec.ttlChanged.name} ${spec.ttlChanged.type} `}${deleteTarget ? '' : `${spec.deleted.name} ${spec.deleted.type} ${spec.deleted.setIdentifier}`}`,
    );
  const changes: Change[] = [
    {
      Action: 'CREATE',
      ResourceRecordSet: {
        Name: spec.addedTxt.name,
        Type: 'TXT',
        TTL: 300,
        ResourceRecords: [{ Value: spec.addedTxt.value }],
      },
    },
    {
      Action: 'CREATE',
      ResourceRecordSet: {
        Name: spec.addedCname.name,
        Type: 'CNAME',
        TTL: 300,
        ResourceRecords: [{ Value: spec.addedCname.value }],
      },
    },
    { Action: 'UPSERT', ResourceRecordSet: { ...ttlTarget, TTL: spec.ttlChanged.ttl } },
    { Action: 'DELETE', ResourceRecordSet: deleteTarget },
  ];
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: estate.zoneId,
      ChangeBatch: { Comment: '45 days of changes made by people', Changes: changes },
    }),
  );

  // One more web server in the recovery region, in the network failover landed in.
  const ec2 = clients.ec2(plan.recoveryRegion);
  const { Instances = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: await baseImageId(ec2),
      InstanceType: 't3.small',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: estate.recoveryNetwork.subnets[0],
      SecurityGroupIds: estate.recoveryNetwork.securityGroups.slice(0, 1),
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'pendulum-role', Value: spec.addedInstance.role },
            { Key: 'Name', Value: spec.addedInstance.name },
          ],
        },
      ],
    }),
  );
  const added: Instance | undefined = Instances[0];
  if (!added?.InstanceId) throw new Error('RunInstances started no instance in the recovery region');

  // The recovery databases took the writes: mark each so the new primary can be traced to it.
  const rds = clients.rds(plan.recoveryRegion);
  const recoveryDatabases: Record<string, string> = {};
  for (const db of await databases(rds)) {
    const source = tagOf(db, TAG.source);
    if (!source || tagOf(db, TAG.failover) === undefined || !db.DBInstanceArn || !db.DBInstanceIdentifier)
      continue;
    await rds.send(
      new AddTagsToResourceCommand({
        ResourceName: db.DBInstanceArn,
        Tags: [{ Key: spec.databaseTag.key, Value: spec.databaseTag.value }],
      }),
    );
    recoveryDatabases[source] = db.DBInstanceIdentifier;
  }
  // A cluster's writes land in the cluster (its storage), not in one of its instances.
  const recoveryClusters: Record<string, string> = {};
  for (const cluster of await clusters(rds)) {
    const source = tagOf(cluster, TAG.source);
    if (!source || tagOf(cluster, TAG.failover) === undefined || !cluster.DBClusterArn) continue;
    await rds.send(
      new AddTagsToResourceCommand({
        ResourceName: cluster.DBClusterArn,
        Tags: [{ Key: spec.databaseTag.key, Value: spec.databaseTag.value }],
      }),
    );
    recoveryClusters[source] = cluster.DBClusterIdentifier ?? '';
  }

  // A reporting database someone made in the recovery region, with the app's tag.
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: spec.addedDatabase.identifier,
      DBSubnetGroupName: spec.addedDatabase.subnetGroup,
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'reports',
      MasterUserPassword: 'rehearsal-only-password',
      Tags: [
        { Key: TAG.app, Value: plan.app },
        { Key: 'Name', Value: spec.addedDatabase.identifier },
      ],
    }),
  );

  return {
    spec,
    addedInstanceId: added.InstanceId,
    addedDatabaseId: spec.addedDatabase.identifier,
    recoveryDatabases,
    recoveryClusters,
    summary: [
      `DNS: added ${spec.addedTxt.name} TXT ${spec.addedTxt.value}`,
      `DNS: added ${spec.addedCname.name} CNAME ${spec.addedCname.value}`,
      `DNS: ${spec.ttlChanged.name} ${spec.ttlChanged.type} TTL ${ttlTarget.TTL ?? '?'} → ${spec.ttlChanged.ttl}`,
      `DNS: deleted ${spec.deleted.name} ${spec.deleted.type} (${spec.deleted.setIdentifier})`,
      `EC2: started ${added.InstanceId} (${spec.addedInstance.name}, pendulum-role=${spec.addedInstance.role}) in ${plan.recoveryRegion}`,
      ...Object.entries(recoveryDatabases).map(
        ([source, id]) =>
          `RDS: ${id} (standing in for ${source}) took 45 days of writes (tag ${spec.databaseTag.key}=${spec.databaseTag.value})`,
      ),
      ...Object.entries(recoveryClusters).map(
        ([source, id]) =>
          `RDS: Aurora cluster ${id} (standing in for ${source}) took 45 days of writes (tag ${spec.databaseTag.key}=${spec.databaseTag.value})`,
      ),
      `RDS: created ${spec.addedDatabase.identifier} in ${plan.recoveryRegion} (tag ${TAG.app}=${plan.app}), which the plan does not know`,
    ],
  };
}
