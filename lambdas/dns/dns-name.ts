/**
 * DNS names as Route 53 compares them.
 * Route 53 stores names in lower case and returns any character outside a-z, 0-9, `-` and `_` as a
 * three-digit octal escape (`*` comes back as `\052`, `@` as `\100`), so a name in the plan and the
 * same name read back from the zone only compare equal after both are brought to one form.
 */

const DOT = 0x2e;
const BACKSLASH = 0x5c;
const OCTAL_ESCAPE = /^[0-7]{3}$/;
const UTF8 = new TextEncoder();

/**
 * The one canonical spelling of a DNS name: lower-case, exactly one trailing dot, escapes decoded.
 * Printable ASCII is written as itself; a literal dot or backslash inside a label, and anything that is
 * not printable ASCII, stays an octal escape, because decoding those would change where labels split or
 * make two different names look alike. Normalising a normalised name changes nothing.
 */
export function normaliseDnsName(name: string): string {
  const labels: string[] = [];
  let label = '';
  let i = 0;
  while (i < name.length) {
    let char = nextCharacter(name, i);
    i += char.length;
    if (char === '.') {
      labels.push(label);
      label = '';
      continue;
    }
    if (char === '\\') {
      const octal = name.slice(i, i + 3);
      if (OCTAL_ESCAPE.test(octal)) {
        label += canonicalOctet(Number.parseInt(octal, 8));
        i += 3;
        continue;
      }
      // A backslash before any other character (`\.`, `\\`) stands for that character, even a dot.
      if (i < name.length) {
        char = nextCharacter(name, i);
        i += char.length;
      }
    }
    // Outside ASCII a name is bytes on the wire, so each UTF-8 byte becomes one escape.
    for (const octet of UTF8.encode(char)) label += canonicalOctet(octet);
  }
  labels.push(label);
  // Empty labels at the end only come from trailing dots: the root is written once, as the final dot.
  while (labels.length > 0 && labels[labels.length - 1] === '') labels.pop();
  return `${labels.join('.')}.`;
}

/** Whether two spellings name the same DNS name. */
export function sameDnsName(a: string, b: string): boolean {
  return normaliseDnsName(a) === normaliseDnsName(b);
}

/** One whole character at `index`, so a surrogate pair is never split. */
function nextCharacter(text: string, index: number): string {
  return String.fromCodePoint(text.codePointAt(index) as number);
}

function canonicalOctet(octet: number): string {
  const printable = octet > 0x20 && octet < 0x7f;
  if (!printable || octet === DOT || octet === BACKSLASH) return `\\${octet.toString(8).padStart(3, '0')}`;
  // DNS names are case-insensitive for ASCII letters only.
  return String.fromCharCode(octet).toLowerCase();
}
