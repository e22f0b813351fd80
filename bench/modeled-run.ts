/**
 * What a realistic run is judged against: the synthetic estate and its plan as the modeled floor
 * sees them (resources per tier in plan order, their sizes, the DNS batches, the plan's failback
 * waits), and the floor of each workflow.
 */
import { durationSeconds } from '../lambdas/plan/duration';
import type { Plan } from '../lambdas/plan/plan-schema';
import {
  type FailbackWaits,
  type FloorEstate,
  failbackFloor,
  failoverFloor,
  type ModeledFloor,
  protectFloor,
} from './modeled-floor';
import type { Workflow } from './report';

export interface EstateSizes {
  /** The largest instance's volumes, in GiB. */
  readonly instanceGiB: number;
  /** The largest database's allocated storage, in GiB. */
  readonly databaseGiB: number;
}

/** The plan's tiers with the instances each role has, sized by the estate's largest resources. */
export function floorEstate(
  plan: Plan,
  instancesByRole: Readonly<Record<string, number>>,
  sizes: EstateSizes,
  dnsChangeBatches: number,
): FloorEstate {
  return {
    tiers: plan.tiers.map((tier) => {
      let instances = 0;
      let databases = 0;
      for (const resource of tier.resources) {
        if ('rds' in resource) databases += 1;
        if ('ec2' in resource) instances += instancesByRole[resource.ec2.role] ?? 0;
      }
      return {
        name: tier.name,
        instances,
        databases,
        instanceGiB: instances > 0 ? sizes.instanceGiB : 0,
        databaseGiB: databases > 0 ? sizes.databaseGiB : 0,
      };
    }),
    dnsChangeBatches,
  };
}

/** The waits a failback must sit out because the plan asks for them. */
export function failbackWaits(plan: Plan): FailbackWaits {
  return {
    strategy: plan.failback.strategy,
    steps: plan.failback.steps.length,
    stepHoldMs: durationSeconds(plan.failback.stepHold) * 1000,
    soakMs: durationSeconds(plan.failback.soak) * 1000,
  };
}

export function modeledFloor(workflow: Workflow, estate: FloorEstate, plan: Plan): ModeledFloor {
  if (workflow === 'protect') return protectFloor(estate);
  if (workflow === 'failover') return failoverFloor(estate);
  return failbackFloor(estate, failbackWaits(plan));
}
