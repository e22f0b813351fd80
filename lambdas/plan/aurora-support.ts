/**
 * Whether a plan may name Aurora clusters yet. Pendulum protects clusters and fails them over, but
 * failback cannot bring a cluster home yet: a plan naming one is refused at validate (and so at
 * synth and in every workflow), before anything is deployed, rather than leaving a cluster stranded
 * in the recovery region after the incident. Tests of the cluster paths lift the refusal by mocking
 * this module; the day failback brings clusters home, this module goes.
 */

/** The refusal for a plan that names cluster `cluster`, or undefined once clusters are supported. */
export function auroraRefusal(cluster: string): string | undefined {
  return `expected an EC2 or RDS resource: Aurora clusters are not supported yet (Pendulum protects and fails over a cluster but cannot yet bring it home, so ${cluster} would be stranded in the recovery region after failover); remove it from the plan and protect the cluster by other means (Aurora Global Database, AWS Backup) until Pendulum supports Aurora`;
}
