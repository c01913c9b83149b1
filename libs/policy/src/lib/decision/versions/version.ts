/**
 * A version as one ecosystem orders it. Values of different schemes are never compared: each
 * scheme hands out its own values, and the fix chooser only compares a fixed version with the
 * installed version of the same component.
 */
export interface Version {
  readonly text: string;
  /** Below the release it leads to (alpha, beta, rc, dev, `~` in distro versions...). */
  readonly prerelease: boolean;
  /**
   * The line inside which upgrades are non-breaking by the ecosystem's convention (`2` for
   * semver 2.x, `0.4` for 0.4.x); undefined where the ecosystem has no such convention
   * (distribution packages, whose fixes are backports).
   */
  readonly series: string | undefined;
  /** Whether the scheme can order the two at all (container tags of different variants cannot). */
  comparableWith(other: Version): boolean;
  /** Negative, zero or positive, like a sort comparator. */
  compareTo(other: Version): number;
}

export interface VersionScheme {
  /** `semver`, `pep440`, `maven`, `debian`, `rpm`, `apk`, `rubygems`, `oci-tag`. */
  readonly name: string;
  parse(text: string): Version | undefined;
}

export function compareNumericText(a: string, b: string): number {
  const left = a.replace(/^0+(?=\d)/, '');
  const right = b.replace(/^0+(?=\d)/, '');
  if (left.length !== right.length) return left.length < right.length ? -1 : 1;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function sign(value: number): number {
  return value < 0 ? -1 : value > 0 ? 1 : 0;
}
