import { describe, expect, it } from 'vitest';
import { renderChangeSet } from '../../cli/change-set';
import type { Output } from '../../cli/output';

function captured(): Output & { text: () => string } {
  const lines: string[] = [];
  return {
    json: false,
    colour: false,
    line: (text = '') => lines.push(text),
    error: (text) => lines.push(text),
    data: (value) => lines.push(JSON.stringify(value)),
    text: () => lines.join('\n'),
  };
}

describe("a failback dry run's change set", () => {
  it('lists what the inventory does not know, with what failback does with it', () => {
    // Prepare
    const out = captured();

    // Act
    renderChangeSet(
      'failback',
      {
        app: 'shop',
        from: 'us-west-2',
        to: 'us-east-1',
        dns: [],
        unresolvedConflicts: 1,
        resources: {
          unknown: [
            { kind: 'ec2', id: 'i-0clone', role: 'web', outcome: 'bring home', reason: 'taken for web' },
            {
              kind: 'rds',
              id: 'shop-reporting',
              outcome: 'conflict',
              reason: 'no planned role can be inferred',
            },
          ],
        },
      },
      out,
    );

    // Assess
    expect(out.text()).toMatch(/Not in the failover's inventory, in us-west-2 \(2\):/);
    expect(out.text()).toMatch(/ec2\s+i-0clone\s+web\s+bring home\s+taken for web/);
    expect(out.text()).toMatch(/rds\s+shop-reporting\s+conflict\s+no planned role can be inferred/);
    expect(out.text()).toMatch(/either leaves unknown resources in place/);
  });
});

describe("a failover dry run's change set", () => {
  it('lists the private zone associations the failover would make before DNS moves', () => {
    // Prepare
    const out = captured();

    // Act
    renderChangeSet(
      'failover',
      {
        app: 'shop',
        from: 'us-east-1',
        to: 'us-west-2',
        resources: [],
        dnsChanges: [],
        privateZoneAssociations: [
          { zone: 'shop.internal.', id: 'Z0PRIVATE', vpcId: 'vpc-0recovery', region: 'us-west-2' },
        ],
      },
      out,
    );

    // Assess
    expect(out.text()).toMatch(/Private zone associations, made before DNS moves and kept \(1\):/);
    expect(out.text()).toMatch(/shop\.internal\. \(Z0PRIVATE\)\s+vpc-0recovery\s+us-west-2/);
  });
});

describe("a failover dry run's preflight warnings", () => {
  it('are printed with the plan path and what to do', () => {
    // Prepare
    const out = captured();

    // Act
    renderChangeSet(
      'failover',
      {
        app: 'shop',
        resources: [],
        dnsChanges: [],
        preflightWarnings: [
          {
            path: ['recoveryRegion'],
            message:
              'a failover launches 8 Standard On-Demand vCPUs in us-west-2, where 60 already run; the quota (L-1216C47A) is 64',
            fix: 'request an increase of Service Quotas L-1216C47A in us-west-2 to at least 68',
          },
        ],
      },
      out,
    );

    // Assess
    expect(out.text()).toMatch(/Preflight warnings \(1\):/);
    expect(out.text()).toMatch(/! recoveryRegion: a failover launches 8 Standard On-Demand vCPUs/);
    expect(out.text()).toMatch(
      /fix: request an increase of Service Quotas L-1216C47A in us-west-2 to at least 68/,
    );
  });
});
