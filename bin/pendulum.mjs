#!/usr/bin/env node
// The `pendulum` CLI. Sources are TypeScript, run through tsx so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/pendulum.ts');
process.exitCode = await main(process.argv);
