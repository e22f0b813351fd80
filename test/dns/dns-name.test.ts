import { describe, expect, it } from 'vitest';
import { normaliseDnsName, sameDnsName } from '../../lambdas/dns/dns-name';

describe('normaliseDnsName', () => {
  it.each([
    ['www.example.com', 'www.example.com.'],
    ['www.example.com.', 'www.example.com.'],
    ['www.example.com..', 'www.example.com.'],
    ['WWW.Example.COM', 'www.example.com.'],
    ['\\052.example.com.', '*.example.com.'],
    ['*.example.com', '*.example.com.'],
    ['\\100.example.com', '@.example.com.'],
    ['a\\137b.example.com', 'a_b.example.com.'],
    ['\\101pi.example.com', 'api.example.com.'],
    ['', '.'],
    ['.', '.'],
  ])('normalises %j to %j', (input, expected) => {
    // Prepare, Act
    const normalised = normaliseDnsName(input);

    // Assess
    expect(normalised).toBe(expected);
  });

  it('keeps an escaped dot inside a label escaped, so the labels do not change', () => {
    // Prepare
    const names = ['a\\056b.example.com', 'a\\.b.example.com.'];

    // Act
    const normalised = names.map(normaliseDnsName);

    // Assess
    expect(normalised).toEqual(['a\\056b.example.com.', 'a\\056b.example.com.']);
    expect(normaliseDnsName('a.b.example.com')).not.toBe(normalised[0]);
  });

  it('writes spaces, non-printable and non-ASCII characters as three-digit octal escapes', () => {
    // Prepare, Act
    const normalised = [normaliseDnsName('a\\040b.example.com'), normaliseDnsName('café.example.com')];

    // Assess
    expect(normalised).toEqual(['a\\040b.example.com.', 'caf\\303\\251.example.com.']);
  });

  it('does not lower-case escaped non-ASCII letters', () => {
    // Prepare: \311 is É in Latin-1; DNS case-folding is for ASCII only.
    const name = '\\311.example.com';

    // Act
    const normalised = normaliseDnsName(name);

    // Assess
    expect(normalised).toBe('\\311.example.com.');
  });

  it('changes nothing when applied twice', () => {
    // Prepare
    const names = ['\\052.Example.com', 'a\\.b.c', 'x\\\\y.z..', 'café', 'tab\\011.example', 'end\\'];

    // Act
    const once = names.map(normaliseDnsName);
    const twice = once.map(normaliseDnsName);

    // Assess
    expect(twice).toEqual(once);
  });
});

describe('sameDnsName', () => {
  it('treats case, trailing dots and escapes as spelling', () => {
    // Prepare, Act, Assess
    expect(sameDnsName('\\052.Example.COM.', '*.example.com')).toBe(true);
    expect(sameDnsName('www.example.com', 'www.example.org')).toBe(false);
    expect(sameDnsName('a.b.example.com', 'a\\056b.example.com')).toBe(false);
  });
});
