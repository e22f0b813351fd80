import { describe, expect, it } from 'vitest';
import {
  copyTags,
  ESTATE_TAGS_MAX,
  homeTags,
  ownTags,
  pendulumGivenName,
  TAGS_PER_RESOURCE_MAX,
  travellingTags,
} from '../../lambdas/recovery-points/estate-tags';
import { isSelectableSource } from '../../lambdas/recovery-points/selectable-sources';

const many = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v']));

describe('ownTags', () => {
  it('drops AWS reserved (any case) and Pendulum tags', () => {
    expect(
      ownTags({ 'aws:cloudformation:stack-name': 's', 'AWS:x': 'y', 'pendulum:app': 'shop', Team: 'a' }),
    ).toEqual({
      Team: 'a',
    });
  });
});

describe('travellingTags', () => {
  it('keeps all of a source with few tags', () => {
    expect(travellingTags({ Name: 'web', Team: 'a' })).toEqual({
      tags: { Name: 'web', Team: 'a' },
      dropped: [],
    });
  });

  it('keeps at most ESTATE_TAGS_MAX: the selector keys first, then Name, then key order', () => {
    const tags = { ...many(60), Name: 'web', 'zz-role': 'web' };
    const { tags: kept, dropped } = travellingTags(tags, { keep: ['zz-role'] });
    expect(Object.keys(kept)).toHaveLength(ESTATE_TAGS_MAX);
    expect(Object.keys(kept).slice(0, 3)).toEqual(['zz-role', 'Name', 'k00']);
    expect(dropped).toHaveLength(62 - ESTATE_TAGS_MAX);
    expect(dropped[0]).toBe(`k${String(ESTATE_TAGS_MAX - 2).padStart(2, '0')}`);
  });

  it('drops a tag AWS would not accept (value over 256 characters)', () => {
    expect(travellingTags({ Long: 'x'.repeat(257), Short: 'y' })).toEqual({
      tags: { Short: 'y' },
      dropped: ['Long'],
    });
  });
});

describe('copyTags', () => {
  it('gives the estate tags, Pendulum’s over them, and a Name only when the estate has none', () => {
    expect(copyTags({ Team: 'a' }, { 'pendulum:app': 'shop' }, { fallbackName: 'shop-web-i-1' })).toEqual({
      Name: 'shop-web-i-1',
      Team: 'a',
      'pendulum:app': 'shop',
    });
    expect(copyTags({ Name: 'web' }, {}, { fallbackName: 'shop-web-i-1' })).toEqual({ Name: 'web' });
  });

  it('never exceeds the 50 tags a resource may carry', () => {
    const pendulum = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`pendulum:t${i}`, 'v']));
    expect(Object.keys(copyTags(many(49), pendulum, { fallbackName: 'n' }))).toHaveLength(
      TAGS_PER_RESOURCE_MAX,
    );
  });
});

describe('homeTags', () => {
  it('takes the recovery copy’s tags as they are now over the stale primary’s', () => {
    expect(homeTags({ Team: 'b', Owner: 'night' }, { Team: 'a', PatchGroup: 'p' })).toEqual({
      Team: 'b',
      Owner: 'night',
      PatchGroup: 'p',
    });
  });

  it('lets a Name Pendulum gave the recovery copy yield to the stale primary’s', () => {
    const given = pendulumGivenName('shop', 'web', 'i-1');
    expect(homeTags({ Name: given }, { Name: 'shop-web' }, given)).toEqual({ Name: 'shop-web' });
    expect(homeTags({ Name: 'renamed' }, { Name: 'shop-web' }, given)).toEqual({ Name: 'renamed' });
  });
});

describe('isSelectableSource', () => {
  const app = 'shop';
  it('in the primary: the estate and failback home copies, never a failover’s or drill’s copy or another app’s', () => {
    expect(isSelectableSource({ role: 'web' }, { app, where: 'primary' })).toBe(true);
    expect(
      isSelectableSource({ 'pendulum:app': app, 'pendulum:failback': 'fb-1' }, { app, where: 'primary' }),
    ).toBe(true);
    expect(
      isSelectableSource({ 'pendulum:app': app, 'pendulum:failover': 'fo-1' }, { app, where: 'primary' }),
    ).toBe(false);
    expect(
      isSelectableSource({ 'pendulum:app': app, 'pendulum:drill': 'd-1' }, { app, where: 'primary' }),
    ).toBe(false);
    expect(isSelectableSource({ 'pendulum:app': 'other' }, { app, where: 'primary' })).toBe(false);
  });

  it('failed over: this failover’s copies and what was added by hand, not an earlier failover’s', () => {
    const at = { app, where: 'recovery' as const, failoverId: 'fo-2' };
    expect(isSelectableSource({ 'pendulum:app': app, 'pendulum:failover': 'fo-2' }, at)).toBe(true);
    expect(isSelectableSource({ role: 'web' }, at)).toBe(true);
    expect(isSelectableSource({ 'pendulum:app': app, 'pendulum:failover': 'fo-1' }, at)).toBe(false);
  });
});
