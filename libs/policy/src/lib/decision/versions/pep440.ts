import { compareNumericText, type Version, type VersionScheme } from './version';

// The PEP 440 grammar as `packaging` accepts it (spellings normalised: alpha -> a, c -> rc...).
const PEP440 =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

const PRE_RANK: Readonly<Record<string, number>> = {
  alpha: 0,
  a: 0,
  beta: 1,
  b: 1,
  preview: 2,
  pre: 2,
  c: 2,
  rc: 2,
};

/** Sorts below (-Infinity) or above (+Infinity) every real value of a segment, as packaging's key does. */
type Rank = readonly number[] | 'min' | 'max';

function compareRank(a: Rank, b: Rank): number {
  if (a === b) return 0;
  if (a === 'min' || b === 'max') return -1;
  if (a === 'max' || b === 'min') return 1;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

class Pep440Version implements Version {
  constructor(
    readonly text: string,
    private readonly epoch: string,
    private readonly release: readonly string[],
    private readonly pre: Rank,
    private readonly post: Rank,
    private readonly dev: Rank,
    private readonly local: readonly string[],
  ) {}

  get prerelease(): boolean {
    return this.pre !== 'max' || this.dev !== 'max';
  }

  get series(): string {
    const [major, minor] = this.release;
    return `${this.epoch}!${major === '0' ? `0.${minor ?? '0'}` : major!}`;
  }

  comparableWith(other: Version): boolean {
    return other instanceof Pep440Version;
  }

  compareTo(other: Version): number {
    const that = other as Pep440Version;
    const epoch = compareNumericText(this.epoch, that.epoch);
    if (epoch !== 0) return epoch;
    // Trailing zeros do not count: 1.0 == 1.0.0.
    const a = trimZeros(this.release);
    const b = trimZeros(that.release);
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
      const order = compareNumericText(a[i] ?? '0', b[i] ?? '0');
      if (order !== 0) return order;
    }
    for (const [x, y] of [
      [this.pre, that.pre],
      [this.post, that.post],
      [this.dev, that.dev],
    ] as const) {
      const order = compareRank(x, y);
      if (order !== 0) return order;
    }
    return compareLocal(this.local, that.local);
  }
}

function trimZeros(release: readonly string[]): string[] {
  const out = [...release];
  while (out.length > 1 && /^0+$/.test(out[out.length - 1]!)) out.pop();
  return out;
}

/** Local labels: absent sorts first; numeric parts above alphanumeric ones. */
function compareLocal(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return y === undefined ? 0 : -1;
    if (y === undefined) return 1;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    if (xNumeric && yNumeric) {
      const order = compareNumericText(x, y);
      if (order !== 0) return order;
    } else if (xNumeric !== yNumeric) {
      return xNumeric ? 1 : -1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

const numberOf = (text: string | undefined): number => Number(text ?? '0');

export const pep440Scheme: VersionScheme = {
  name: 'pep440',
  parse(text) {
    const match = PEP440.exec(text.trim());
    if (!match) return undefined;
    const [, epoch, release, preLabel, preNumber, postImplicit, postLabel, postNumber, devLabel] =
      match;
    const devNumber = match[9];
    const local = match[10];
    const hasPost = postImplicit !== undefined || postLabel !== undefined;
    const dev: Rank = devLabel === undefined ? 'max' : [numberOf(devNumber)];
    // A dev release of a final version (1.0.dev1) sorts before its pre-releases (1.0a1).
    const pre: Rank =
      preLabel !== undefined
        ? [PRE_RANK[preLabel.toLowerCase()]!, numberOf(preNumber)]
        : !hasPost && devLabel !== undefined
          ? 'min'
          : 'max';
    const post: Rank = hasPost ? [numberOf(postImplicit ?? postNumber)] : 'min';
    return new Pep440Version(
      text,
      epoch ?? '0',
      release!.split('.'),
      pre,
      post,
      dev,
      local === undefined ? [] : local.toLowerCase().split(/[-_.]/),
    );
  },
};
