import { compareNumericText, type Version, type VersionScheme } from './version';

/*
 * Maven's ComparableVersion (maven-artifact 3.x): the version splits into numbers and
 * qualifiers at `.`, `-` and digit/letter transitions; `-` and transitions open a sub-list;
 * trailing "null" items (0, "", ga, final, release) are dropped; qualifiers order
 * alpha < beta < milestone < rc = cr < snapshot < (release) < sp < anything else.
 */

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'] as const;
const RELEASE_INDEX = QUALIFIERS.indexOf('');
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };

type Item =
  | { readonly kind: 'int'; readonly value: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly items: Item[] };

function stringItem(value: string, followedByDigit: boolean): Item {
  let text = value;
  if (followedByDigit && text.length === 1) {
    text = text === 'a' ? 'alpha' : text === 'b' ? 'beta' : text === 'm' ? 'milestone' : text;
  }
  return { kind: 'string', value: ALIASES[text] ?? text };
}

function parseItem(text: string): Item {
  return /^\d+$/.test(text)
    ? { kind: 'int', value: text.replace(/^0+(?=\d)/, '') }
    : stringItem(text, false);
}

function isNull(item: Item): boolean {
  switch (item.kind) {
    case 'int':
      return item.value === '0';
    case 'string':
      return item.value === '';
    case 'list':
      return item.items.length === 0;
  }
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i -= 1) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

function qualifierRank(value: string): string {
  const index = (QUALIFIERS as readonly string[]).indexOf(value);
  return index === -1 ? `${QUALIFIERS.length}-${value}` : String(index);
}

function compareItems(a: Item | undefined, b: Item | undefined): number {
  if (a === undefined) return b === undefined ? 0 : -compareItems(b, undefined);
  switch (a.kind) {
    case 'int':
      if (b === undefined) return a.value === '0' ? 0 : 1;
      if (b.kind === 'int') return compareNumericText(a.value, b.value);
      return 1;
    case 'string': {
      if (b === undefined) {
        const rank = qualifierRank(a.value);
        const release = String(RELEASE_INDEX);
        return rank < release ? -1 : rank > release ? 1 : 0;
      }
      if (b.kind === 'int' || b.kind === 'list') return -1;
      const x = qualifierRank(a.value);
      const y = qualifierRank(b.value);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'list': {
      if (b === undefined) return a.items.length === 0 ? 0 : compareItems(a.items[0], undefined);
      if (b.kind === 'int') return -1;
      if (b.kind === 'string') return 1;
      for (let i = 0; i < Math.max(a.items.length, b.items.length); i += 1) {
        const order = compareItems(a.items[i], b.items[i]);
        if (order !== 0) return order;
      }
      return 0;
    }
  }
}

function parseMaven(version: string): Item[] {
  const text = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let isDigit = false;
  let start = 0;
  const openList = (): void => {
    const next: Item[] = [];
    list.push({ kind: 'list', items: next });
    list = next;
    stack.push(next);
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c === '.') {
      list.push(i === start ? { kind: 'int', value: '0' } : parseItem(text.slice(start, i)));
      start = i + 1;
    } else if (c === '-') {
      list.push(i === start ? { kind: 'int', value: '0' } : parseItem(text.slice(start, i)));
      start = i + 1;
      openList();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(stringItem(text.slice(start, i), true));
        start = i;
        openList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(text.slice(start, i)));
        start = i;
        openList();
      }
      isDigit = false;
    }
  }
  if (text.length > start) list.push(parseItem(text.slice(start)));
  while (stack.length > 0) normalize(stack.pop()!);
  return root;
}

function hasPreQualifier(items: readonly Item[]): boolean {
  return items.some((item) =>
    item.kind === 'list'
      ? hasPreQualifier(item.items)
      : item.kind === 'string' && qualifierRank(item.value) < String(RELEASE_INDEX),
  );
}

class MavenVersion implements Version {
  constructor(
    readonly text: string,
    private readonly items: Item[],
  ) {}

  get prerelease(): boolean {
    return hasPreQualifier(this.items);
  }

  get series(): string {
    const first = this.items[0];
    return first?.kind === 'int' ? first.value : '0';
  }

  comparableWith(other: Version): boolean {
    return other instanceof MavenVersion;
  }

  compareTo(other: Version): number {
    return compareItems(
      { kind: 'list', items: this.items },
      { kind: 'list', items: (other as MavenVersion).items },
    );
  }
}

// Maven accepts nearly any string; a fix must at least start with a number and hold no spaces
// or range syntax (`[1.0,2.0)`), which would make the choice meaningless.
const PLAUSIBLE = /^\d[0-9A-Za-z._+-]*$/;

export const mavenScheme: VersionScheme = {
  name: 'maven',
  parse(text) {
    const trimmed = text.trim();
    if (!PLAUSIBLE.test(trimmed)) return undefined;
    return new MavenVersion(text, parseMaven(trimmed));
  },
};
