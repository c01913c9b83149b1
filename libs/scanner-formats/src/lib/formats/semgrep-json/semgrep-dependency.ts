import type { Component } from '@hum/contracts';
import { truncate } from '../../core/normalize';
import { buildPurl } from '../../core/purl';

/** Semgrep Supply Chain ecosystem names as purl types. */
const ECOSYSTEMS: Record<string, string> = {
  npm: 'npm',
  pypi: 'pypi',
  gomod: 'golang',
  maven: 'maven',
  gem: 'gem',
  cargo: 'cargo',
  composer: 'composer',
  nuget: 'nuget',
  pub: 'pub',
  hex: 'hex',
  mix: 'hex',
  swiftpm: 'swift',
  cocoapods: 'cocoapods',
};

function purlFor(type: string, name: string, version: string | undefined): string | undefined {
  if (type === 'maven') {
    const colon = name.lastIndexOf(':');
    return colon > 0
      ? buildPurl(type, name.slice(colon + 1), version, name.slice(0, colon))
      : undefined;
  }
  if (type === 'golang' || type === 'npm' || type === 'composer') {
    const slash = name.lastIndexOf('/');
    if (slash > 0) return buildPurl(type, name.slice(slash + 1), version, name.slice(0, slash));
  }
  const purlName = type === 'pypi' ? name.toLowerCase().replace(/_/g, '-') : name;
  return buildPurl(type, purlName, version);
}

/** A dependency Semgrep Supply Chain found, with a purl built from its ecosystem and name. */
export function semgrepComponent(
  name: string,
  version: string | undefined,
  ecosystem: string | undefined,
  fixedVersions: string[],
  path: string | undefined,
): Component {
  const component: Component = { name: truncate(name, 500)!, fixedVersions };
  if (version !== undefined) component.version = truncate(version, 200)!;
  const type = ecosystem === undefined ? undefined : ECOSYSTEMS[ecosystem.toLowerCase()];
  if (type !== undefined) {
    component.ecosystem = type;
    const purl = purlFor(type, name, version);
    if (purl !== undefined && purl.length <= 1000) component.purl = purl;
  } else if (ecosystem !== undefined) {
    component.ecosystem = truncate(ecosystem.toLowerCase(), 50)!;
  }
  if (path !== undefined) component.path = truncate(path, 2000)!;
  return component;
}

/** Keeps versions a fix recommendation names: plain versions, no ranges, at most 50. */
export function plainVersions(values: Iterable<string | undefined>): string[] {
  const out: string[] = [];
  for (const value of values) {
    if (value === undefined) continue;
    const version = value.trim();
    if (version === '' || version.length > 200 || /[\s<>*^~|,]/.test(version)) continue;
    if (!out.includes(version)) out.push(version);
    if (out.length === 50) break;
  }
  return out;
}
