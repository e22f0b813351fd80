/**
 * Everything a task handler works with, built once per invocation from injected dependencies
 * (tests) or the deployed defaults: plan, clients, state table, artifact store and clock.
 */
import { ArtifactStore } from '../artifacts/artifact-store';
import type { Plan } from '../plan/plan-schema';
import { StateTable } from '../state/state-table';
import { type AwsClients, defaultAwsClients } from './aws-clients';
import { type TaskConfig, taskConfig } from './task-config';

export interface TaskDeps {
  readonly clients?: AwsClients;
  readonly now?: () => Date;
}

export interface TaskContext {
  readonly config: TaskConfig;
  readonly plan: Plan;
  readonly clients: AwsClients;
  readonly state: StateTable;
  readonly artifacts: ArtifactStore;
  now(): Date;
}

export function taskContext(deps: TaskDeps = {}): TaskContext {
  const config = taskConfig();
  const clients = deps.clients ?? defaultAwsClients();
  return {
    config,
    plan: config.plan,
    clients,
    state: new StateTable(clients.dynamo(), config.tableName),
    artifacts: new ArtifactStore(clients.s3(), config.bucketName),
    now: deps.now ?? (() => new Date()),
  };
}
