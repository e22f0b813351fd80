#!/usr/bin/env node
/**
 * CDK entry point: `npx cdk synth` / `npx cdk deploy`.
 * The plan comes from `-c plan=FILE`, then PENDULUM_PLAN_FILE, then cdk.json's `pendulum:plan`.
 */
import { App } from 'aws-cdk-lib';
import { createPendulumApp } from '../lib/pendulum-app';
import { loadPlanFile, PlanFileError } from '../lib/plan-file';

// Reads context only; it must not synthesize (an empty assembly would replace the real one).
const probe = new App({ autoSynth: false });
const planPath =
  (probe.node.tryGetContext('plan') as string | undefined) ??
  process.env.PENDULUM_PLAN_FILE ??
  (probe.node.tryGetContext('pendulum:plan') as string | undefined) ??
  'pendulum.yaml';

try {
  const plan = loadPlanFile(planPath);
  const { app } = createPendulumApp({ plan });
  app.synth();
} catch (error) {
  if (error instanceof PlanFileError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
