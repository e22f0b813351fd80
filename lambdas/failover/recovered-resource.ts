/** One resource brought up from a recovery point, as recorded in a tier's inventory. */
export interface RecoveredResource {
  readonly kind: 'ec2' | 'rds';
  /** The protected resource in the region we left. */
  readonly source: string;
  readonly role: string;
  readonly tier: string;
  /** Instance id or DB identifier in the region we moved to. */
  readonly recoveredId: string;
  /** The AMI, snapshot or replica it came from. */
  readonly pointId: string;
  /** True when this run created it; false when an earlier attempt had and it was reused. */
  readonly created: boolean;
  readonly state?: string;
  readonly privateIp?: string;
  readonly publicIp?: string;
  readonly endpoint?: string;
  readonly port?: number;
}

/** A tag that marks what one episode (failover, failback or drill) created, and its id. */
export interface Episode {
  readonly tagKey: string;
  readonly id: string;
}

export interface TierInventory {
  readonly tierIndex: number;
  readonly tier: string;
  readonly region: string;
  readonly startedAt: string;
  readonly resources: RecoveredResource[];
}
