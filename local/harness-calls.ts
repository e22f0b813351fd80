/**
 * The harness's own AWS calls (emulator adapters, the realistic layer's bookkeeping): made as
 * nobody, so IAM does not evaluate them, and passed straight to moto by the realistic layer, so
 * they are neither slowed, throttled, faulted nor shown a resource's modeled state.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { outsideTask } from './iam/iam-enforcer';

const harness = new AsyncLocalStorage<boolean>();

export function asHarness<T>(body: () => T): T {
  return outsideTask(() => harness.run(true, body));
}

export function isHarnessCall(): boolean {
  return harness.getStore() === true;
}
