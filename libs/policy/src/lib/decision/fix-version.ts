import type { Component } from '@hum/contracts';
import { type Ecosystem, ecosystemOf, versionSchemeOf } from './versions/ecosystems';
import type { Version } from './versions/version';

/** The upgrade a patch would make: always one of the advisory's fixed versions. */
export interface FixVersion {
  readonly component: string;
  readonly ecosystem: Ecosystem;
  readonly fromVersion: string;
  readonly toVersion: string;
}

export type FixRefusal =
  | 'no-component'
  | 'no-fix-version'
  | 'unknown-version-ordering'
  | 'installed-version-unknown'
  | 'installed-version-unparseable'
  | 'no-fix-above-installed'
  | 'fix-requires-major-upgrade';

export type FixChoice =
  | { readonly ok: true; readonly fix: FixVersion }
  | { readonly ok: false; readonly reason: FixRefusal; readonly detail: string };

export interface FixOptions {
  /**
   * Allow a fix on another major line (semver major, 0.x minor, Go v2+...). Off by default: a
   * breaking upgrade is a change for a person, not a bot.
   */
  readonly allowMajorUpgrade?: boolean;
}

/**
 * Splits what advisories put in a "fixed version" field into candidates: lists
 * (`1.2.3, 2.0.1`, `1.2.3 || 2.0.1`) and `>=`/`=` prefixes. Ranges and words (`latest`, `*`,
 * `<2`) are left as they are and will not parse.
 */
function candidateTexts(fixedVersions: readonly string[]): string[] {
  return fixedVersions
    .flatMap((entry) => entry.split(/\s*(?:,|\|\|)\s*/))
    .map((entry) => entry.trim().replace(/^(?:>=|==|=)\s*/, ''))
    .filter((entry) => entry !== '');
}

/**
 * The version to upgrade to: the lowest of the advisory's fixed versions that is above the
 * installed one by the ecosystem's own ordering, comparable with it (container tag variants),
 * not a pre-release unless the installed version is one, and on the same major line unless
 * allowed. Never "latest", never a version the advisory did not name.
 */
export function chooseFixVersion(
  component: Component | undefined,
  options: FixOptions = {},
): FixChoice {
  if (component === undefined)
    return { ok: false, reason: 'no-component', detail: 'the finding names no component' };
  if (component.fixedVersions.length === 0)
    return {
      ok: false,
      reason: 'no-fix-version',
      detail: `the advisory names no fixed version of ${component.name}`,
    };
  const ecosystem = ecosystemOf(component);
  if (ecosystem === undefined)
    return {
      ok: false,
      reason: 'unknown-version-ordering',
      detail: `no known version ordering for ecosystem "${component.ecosystem ?? component.purl ?? 'none'}"`,
    };
  if (component.version === undefined)
    return {
      ok: false,
      reason: 'installed-version-unknown',
      detail: `the installed version of ${component.name} is not known`,
    };
  const scheme = versionSchemeOf(ecosystem);
  const installed = scheme.parse(component.version);
  if (installed === undefined)
    return {
      ok: false,
      reason: 'installed-version-unparseable',
      detail: `"${component.version}" is not a ${scheme.name} version`,
    };
  const offered = candidateTexts(component.fixedVersions);
  const above: Version[] = [];
  for (const text of offered) {
    const candidate = scheme.parse(text);
    if (candidate === undefined || !candidate.comparableWith(installed)) continue;
    if (candidate.prerelease && !installed.prerelease) continue;
    if (candidate.compareTo(installed) > 0) above.push(candidate);
  }
  if (above.length === 0)
    return {
      ok: false,
      reason: 'no-fix-above-installed',
      detail: `none of ${offered.map((v) => `"${v}"`).join(', ')} is a ${scheme.name} release above ${component.version}`,
    };
  const lowest = above.reduce((low, v) => (v.compareTo(low) < 0 ? v : low));
  if (
    !options.allowMajorUpgrade &&
    installed.series !== undefined &&
    lowest.series !== installed.series
  )
    return {
      ok: false,
      reason: 'fix-requires-major-upgrade',
      detail: `the lowest fix ${lowest.text.trim()} leaves the ${installed.series} line of ${component.version}`,
    };
  return {
    ok: true,
    fix: {
      component: component.name,
      ecosystem,
      fromVersion: component.version,
      toVersion: lowest.text.trim(),
    },
  };
}
