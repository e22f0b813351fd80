/**
 * One table from SDK operation to what AWS authorizes for it. An operation not in the table fails
 * the call loudly: an unmodelled call must never pass as allowed.
 */
import type { OperationMapper } from './authorization-request';
import { EC2_OPERATIONS } from './operations/ec2';
import { OTHER_OPERATIONS } from './operations/other-services';
import { RDS_OPERATIONS } from './operations/rds';

const OPERATIONS: Record<string, Record<string, OperationMapper>> = {
  EC2: EC2_OPERATIONS,
  RDS: RDS_OPERATIONS,
  ...OTHER_OPERATIONS,
};

/** The mapper of `service` (the SDK client's name without `Client`) and operation, if modelled. */
export function operationMapper(service: string, operation: string): OperationMapper | undefined {
  return OPERATIONS[service]?.[operation];
}

/** Every modelled `Service.Operation`, for tests. */
export function modelledOperations(): string[] {
  return Object.entries(OPERATIONS).flatMap(([service, ops]) =>
    Object.keys(ops).map((op) => `${service}.${op}`),
  );
}
