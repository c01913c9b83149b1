/**
 * Deterministic report mutations for fuzzing the ingest path: the same seed gives the same
 * sequence, so a failure found in CI can be replayed from the seed printed with it.
 */

export type Random = () => number;

/** mulberry32: small, fast and good enough to pick mutations; not for anything secret. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function int(random: Random, below: number): number {
  return Math.floor(random() * below);
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[int(random, items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

const JUNK = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '\\',
  '\u0000',
  'null',
  'NaN',
  '-1e309',
  '99999999999999999999999',
  '\ud83d\ude00',
  '\u202e',
  '<',
  '</',
  '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
  '&a;',
  '\r\n',
];

const VALUES: readonly (() => unknown)[] = [
  () => null,
  () => true,
  () => 0,
  () => -1,
  () => 1e308,
  () => '',
  () => 'x'.repeat(5_000),
  () => [],
  () => ({}),
  () => [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]],
  // An own `__proto__` key, as JSON.parse makes it: the prototype-pollution probe.
  () => JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  () => '../../etc/passwd',
  () => 'CVE-0000-0000',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every container (object or array) in the document, with the keys it holds. */
function containers(root: Json): (Json[] | Record<string, Json>)[] {
  const found: (Json[] | Record<string, Json>)[] = [];
  const stack: Json[] = [root];
  while (stack.length > 0 && found.length < 5_000) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    found.push(node);
    stack.push(...(Array.isArray(node) ? node : Object.values(node)));
  }
  return found;
}

function mutateJson(text: string, random: Random): string | undefined {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
  const all = containers(doc);
  if (all.length === 0) return undefined;
  const edits = 1 + int(random, 3);
  for (let i = 0; i < edits; i += 1) {
    const target = pick(random, all);
    const keys = Array.isArray(target) ? target.map((_, index) => index) : Object.keys(target);
    if (keys.length === 0) continue;
    const key = pick(random, keys as (string | number)[]);
    const action = int(random, 4);
    const bag = target as Record<string | number, unknown>;
    if (action === 0 && !Array.isArray(target)) delete bag[key];
    else if (action === 1) bag[key] = pick(random, VALUES)();
    else if (action === 2 && Array.isArray(target)) target.push(...target.slice(0, 50));
    else bag[key] = typeof bag[key] === 'string' ? Number.NaN : String(bag[key]);
  }
  return JSON.stringify(doc);
}

/** One random mutation of `report`; the name says which, for the failure message. */
export function mutateReport(report: Buffer, random: Random): { name: string; body: Buffer } {
  const size = report.length;
  const at = int(random, Math.max(1, size));
  switch (int(random, 8)) {
    case 0:
      return { name: `truncate@${at}`, body: report.subarray(0, at) };
    case 1: {
      const copy = Buffer.from(report);
      const flips = 1 + int(random, 20);
      for (let i = 0; i < flips; i += 1) copy[int(random, size)] = int(random, 256);
      return { name: `flip×${flips}`, body: copy };
    }
    case 2: {
      const length = 1 + int(random, 200);
      return {
        name: `delete@${at}+${length}`,
        body: Buffer.concat([report.subarray(0, at), report.subarray(at + length)]),
      };
    }
    case 3: {
      const length = 1 + int(random, 2_000);
      const slice = report.subarray(at, at + length);
      return {
        name: `duplicate@${at}+${length}`,
        body: Buffer.concat([report.subarray(0, at), slice, slice, report.subarray(at)]),
      };
    }
    case 4: {
      const junk = pick(random, JUNK);
      return {
        name: `insert@${at}:${JSON.stringify(junk)}`,
        body: Buffer.concat([report.subarray(0, at), Buffer.from(junk), report.subarray(at)]),
      };
    }
    case 5: {
      const mutated = mutateJson(report.toString('utf8'), random);
      if (mutated !== undefined) return { name: 'json-values', body: Buffer.from(mutated) };
      return { name: `truncate@${at}`, body: report.subarray(0, at) };
    }
    case 6:
      return {
        name: 'empty-ish',
        body: Buffer.from(pick(random, ['', ' ', '\n', 'null', '[]', '{}', '""', '0', '<x/>'])),
      };
    default:
      // Unchanged: the fuzz run keeps valid reports in the mix so acceptance is exercised too.
      return { name: 'original', body: report };
  }
}
