import { compareNumericText, type Version, type VersionScheme } from './version';

// Loose on purpose where registries are: a leading `v` (Go), missing minor/patch (`1.2`), a
// fourth number (NuGet). Build metadata (`+incompatible`) never takes part in the order.
const SEMVER =
  /^v?(\d{1,30})(?:\.(\d{1,30}))?(?:\.(\d{1,30}))?(?:\.(\d{1,30}))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

class SemverVersion implements Version {
  constructor(
    readonly text: string,
    private readonly numbers: readonly string[],
    private readonly pre: readonly string[],
  ) {}

  get prerelease(): boolean {
    return this.pre.length > 0;
  }

  /** Caret semantics (npm, Cargo): 1.x.y is one line, 0.4.x another. */
  get series(): string {
    const [major, minor] = this.numbers;
    return major === '0' ? `0.${minor}` : major!;
  }

  comparableWith(other: Version): boolean {
    return other instanceof SemverVersion;
  }

  compareTo(other: Version): number {
    const that = other as SemverVersion;
    for (let i = 0; i < 4; i += 1) {
      const order = compareNumericText(this.numbers[i]!, that.numbers[i]!);
      if (order !== 0) return order;
    }
    return comparePrerelease(this.pre, that.pre);
  }
}

/** semver.org §11: a release outranks its pre-releases; identifiers compare one by one. */
function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    if (xNumeric && yNumeric) {
      const order = compareNumericText(x, y);
      if (order !== 0) return order;
    } else if (xNumeric !== yNumeric) {
      return xNumeric ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

export const semverScheme: VersionScheme = {
  name: 'semver',
  parse(text) {
    const match = SEMVER.exec(text.trim());
    if (!match) return undefined;
    const numbers = [match[1]!, match[2] ?? '0', match[3] ?? '0', match[4] ?? '0'];
    return new SemverVersion(text, numbers, match[5] === undefined ? [] : match[5].split('.'));
  },
};

/**
 * Go modules: semver with a `v`, where what breaks is a new major from v2 on (it changes the
 * module path, so a go.mod edit cannot do it); v0 and v1 share a path, and the x/ modules
 * move from pseudo-versions to v0.N releases as a matter of course.
 */
class GoVersion extends SemverVersion {
  override get series(): string {
    const major = this.text
      .trim()
      .replace(/^v0*(?=\d)/, '')
      .split(/[.+-]/)[0]!;
    return major === '0' || major === '1' ? 'v0-v1' : `v${major}`;
  }
}

export const goScheme: VersionScheme = {
  name: 'go-semver',
  parse(text) {
    const trimmed = text.trim();
    if (!trimmed.startsWith('v')) return undefined;
    const match = SEMVER.exec(trimmed);
    // Go versions have exactly three numbers.
    if (!match || match[2] === undefined || match[3] === undefined || match[4] !== undefined)
      return undefined;
    return new GoVersion(
      text,
      [match[1]!, match[2], match[3], '0'],
      match[5] === undefined ? [] : match[5].split('.'),
    );
  },
};
