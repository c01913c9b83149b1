import { compareNumericText, type Version, type VersionScheme } from './version';

// Gem::Version: segments split at dots and digit/letter changes; a letter makes it a
// pre-release; a string segment sorts below a number.
const GEM = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

class GemVersion implements Version {
  constructor(
    readonly text: string,
    private readonly segments: readonly string[],
  ) {}

  get prerelease(): boolean {
    return this.segments.some((s) => /[a-z]/i.test(s));
  }

  get series(): string {
    const [major, minor] = this.segments;
    return major === '0' ? `0.${minor ?? '0'}` : major!;
  }

  comparableWith(other: Version): boolean {
    return other instanceof GemVersion;
  }

  compareTo(other: Version): number {
    const a = canonical(this.segments);
    const b = canonical((other as GemVersion).segments);
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
      const x = a[i] ?? '0';
      const y = b[i] ?? '0';
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
}

/** Gem::Version#canonical_segments: trailing zeros of the release part do not count. */
function canonical(segments: readonly string[]): string[] {
  const firstString = segments.findIndex((s) => !/^\d+$/.test(s));
  const release = firstString === -1 ? [...segments] : segments.slice(0, firstString);
  const pre = firstString === -1 ? [] : segments.slice(firstString);
  while (release.length > 1 && /^0+$/.test(release[release.length - 1]!)) release.pop();
  return [...release, ...pre];
}

export const rubygemsScheme: VersionScheme = {
  name: 'rubygems',
  parse(text) {
    const trimmed = text.trim();
    if (!GEM.test(trimmed)) return undefined;
    // `1.0.0-rc1` is read as `1.0.0.pre.rc1`, as Gem::Version does.
    const normalized = trimmed.replace(/-/g, '.pre.');
    const segments = normalized.match(/[0-9]+|[a-z]+/gi) ?? [];
    return new GemVersion(text, segments);
  },
};
