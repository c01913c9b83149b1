import { compareNumericText, sign, type Version, type VersionScheme } from './version';

// Distribution packages: fixes are backports inside a release's own version line, so there is
// no "major upgrade" notion (series undefined); `~` marks a pre-release.

// ---------------------------------------------------------------- Debian (dpkg)

/** dpkg's character order: `~` before everything (even the end), letters before non-letters. */
function dpkgOrder(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (c >= '0' && c <= '9') return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit and digit runs. */
export function dpkgCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const x = i < a.length && !/\d/.test(a[i]!) ? dpkgOrder(a[i]) : 0;
      const y = j < b.length && !/\d/.test(b[j]!) ? dpkgOrder(b[j]) : 0;
      if (x !== y) return sign(x - y);
      if (i < a.length && !/\d/.test(a[i]!)) i += 1;
      if (j < b.length && !/\d/.test(b[j]!)) j += 1;
    }
    let x = '';
    let y = '';
    while (i < a.length && /\d/.test(a[i]!)) x += a[i++]!;
    while (j < b.length && /\d/.test(b[j]!)) y += b[j++]!;
    const order = compareNumericText(x || '0', y || '0');
    if (order !== 0) return order;
  }
  return 0;
}

const DEBIAN = /^(?:(\d+):)?(\d[A-Za-z0-9.+~:-]*?)(?:-([A-Za-z0-9.+~]+))?$/;

class DebianVersion implements Version {
  readonly series = undefined;

  constructor(
    readonly text: string,
    private readonly epoch: string,
    private readonly upstream: string,
    private readonly revision: string,
  ) {}

  get prerelease(): boolean {
    return this.upstream.includes('~');
  }

  comparableWith(other: Version): boolean {
    return other instanceof DebianVersion;
  }

  compareTo(other: Version): number {
    const that = other as DebianVersion;
    return (
      compareNumericText(this.epoch, that.epoch) ||
      dpkgCompare(this.upstream, that.upstream) ||
      dpkgCompare(this.revision, that.revision)
    );
  }
}

export const debianScheme: VersionScheme = {
  name: 'debian',
  parse(text) {
    const match = DEBIAN.exec(text.trim());
    if (!match) return undefined;
    return new DebianVersion(text, match[1] ?? '0', match[2]!, match[3] ?? '0');
  },
};

// ---------------------------------------------------------------- RPM

const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);

/** rpmvercmp from rpm's lib/rpmvercmp.c, `~` and `^` included. */
export function rpmCompare(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i += 1;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j += 1;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i += 1;
      j += 1;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i += 1;
      j += 1;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = /\d/.test(a[i]!);
    const run = numeric ? /^\d+/ : /^[A-Za-z]+/;
    const x = run.exec(a.slice(i))?.[0] ?? '';
    const y = run.exec(b.slice(j))?.[0] ?? '';
    // Segments of different types: the numeric one is newer.
    if (y === '') return numeric ? 1 : -1;
    const order = numeric ? compareNumericText(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return order;
    i += x.length;
    j += y.length;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

const RPM = /^(?:(\d+):)?([A-Za-z0-9._+~^]+)(?:-([A-Za-z0-9._+~^]+))?$/;

class RpmVersion implements Version {
  readonly series = undefined;

  constructor(
    readonly text: string,
    private readonly epoch: string,
    private readonly version: string,
    private readonly release: string | undefined,
  ) {}

  get prerelease(): boolean {
    return this.version.includes('~');
  }

  comparableWith(other: Version): boolean {
    return other instanceof RpmVersion;
  }

  compareTo(other: Version): number {
    const that = other as RpmVersion;
    const order =
      compareNumericText(this.epoch, that.epoch) || rpmCompare(this.version, that.version);
    if (order !== 0) return order;
    // A fix that names no release matches any release of its version.
    if (this.release === undefined || that.release === undefined) return 0;
    return rpmCompare(this.release, that.release);
  }
}

export const rpmScheme: VersionScheme = {
  name: 'rpm',
  parse(text) {
    const match = RPM.exec(text.trim());
    if (!match || !/^\d/.test(match[2]!)) return undefined;
    return new RpmVersion(text, match[1] ?? '0', match[2]!, match[3]);
  },
};

// ---------------------------------------------------------------- Alpine (apk)

const APK_SUFFIXES = ['alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'] as const;
const APK =
  /^(\d+(?:\.\d+)*)([a-z])?((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*)(?:~[0-9a-f]+)?(?:-r(\d+))?$/;

interface ApkSuffix {
  readonly rank: number;
  readonly number: string;
}

class ApkVersion implements Version {
  readonly series = undefined;

  constructor(
    readonly text: string,
    private readonly numbers: readonly string[],
    private readonly letter: string,
    private readonly suffixes: readonly ApkSuffix[],
    private readonly revision: string,
  ) {}

  get prerelease(): boolean {
    return this.suffixes.some((s) => s.rank < APK_SUFFIXES.indexOf(''));
  }

  comparableWith(other: Version): boolean {
    return other instanceof ApkVersion;
  }

  compareTo(other: Version): number {
    const that = other as ApkVersion;
    for (let i = 0; i < Math.max(this.numbers.length, that.numbers.length); i += 1) {
      const x = this.numbers[i];
      const y = that.numbers[i];
      if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
      const order = compareNumericText(x, y);
      if (order !== 0) return order;
    }
    if (this.letter !== that.letter) return this.letter < that.letter ? -1 : 1;
    const release = APK_SUFFIXES.indexOf('');
    for (let i = 0; i < Math.max(this.suffixes.length, that.suffixes.length); i += 1) {
      const x = this.suffixes[i] ?? { rank: release, number: '0' };
      const y = that.suffixes[i] ?? { rank: release, number: '0' };
      if (x.rank !== y.rank) return x.rank < y.rank ? -1 : 1;
      const order = compareNumericText(x.number, y.number);
      if (order !== 0) return order;
    }
    return compareNumericText(this.revision, that.revision);
  }
}

export const apkScheme: VersionScheme = {
  name: 'apk',
  parse(text) {
    const match = APK.exec(text.trim());
    if (!match) return undefined;
    const suffixes = [...(match[3] ?? '').matchAll(/_([a-z]+)(\d*)/g)].map((m) => ({
      rank: (APK_SUFFIXES as readonly string[]).indexOf(m[1]!),
      number: m[2] || '0',
    }));
    return new ApkVersion(text, match[1]!.split('.'), match[2] ?? '', suffixes, match[4] ?? '0');
  },
};
