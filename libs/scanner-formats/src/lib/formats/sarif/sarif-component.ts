import type { Component } from '@hum/contracts';
import type { JsonFields } from '../../core/json-fields';
import { truncate } from '../../core/normalize';
import { buildPurl, parsePurl, purlDisplayName, purlType } from '../../core/purl';
import type { SarifRule, SarifRun } from './sarif-run';

/** `Key: value` lines of a text, as Grype's rule help and Trivy's result messages write them. */
export function textFacts(text: string | undefined): Map<string, string> {
  const facts = new Map<string, string>();
  if (text === undefined) return facts;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0 || colon > 40) continue;
    const value = line.slice(colon + 1).trim();
    if (value !== '') facts.set(line.slice(0, colon).trim().toLowerCase(), value);
  }
  return facts;
}

/** Grype's package types (syft) as purl types. */
const GRYPE_TYPES: Record<string, string> = {
  'java-archive': 'maven',
  npm: 'npm',
  python: 'pypi',
  gem: 'gem',
  'go-module': 'golang',
  deb: 'deb',
  rpm: 'rpm',
  apk: 'apk',
  'rust-crate': 'cargo',
  dotnet: 'nuget',
  'php-composer': 'composer',
};

function fromPurl(
  purl: string,
  fixed: readonly string[],
  path: string | undefined,
): Component | undefined {
  const parsed = parsePurl(purl);
  if (parsed === undefined) return undefined;
  const component: Component = {
    name: truncate(purlDisplayName(parsed), 500)!,
    fixedVersions: [...fixed],
  };
  if (parsed.version !== undefined) component.version = truncate(parsed.version, 200)!;
  if (purl.length <= 1000) component.purl = purl;
  component.ecosystem = parsed.type;
  if (path !== undefined) component.path = truncate(path, 2000)!;
  return component;
}

function purlIn(properties: JsonFields | undefined): string | undefined {
  if (properties === undefined) return undefined;
  for (const key of ['purl', 'purls', 'packageUrl', 'package_url']) {
    const found = properties.looseStrings(key).find((value) => value.startsWith('pkg:'));
    if (found !== undefined) return found;
  }
  return undefined;
}

function fixedFrom(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part.length <= 200 && !/[\s<>*]/.test(part))
    .slice(0, 50);
}

/**
 * The vulnerable package a SARIF result is about, where the producer says: a purl as the
 * logical location (Dependency-Check) or in a property bag, Grype's rule help facts, or
 * Trivy's message facts. Fixed versions only come from a field the producer labels as the fix.
 */
export function sarifComponent(
  run: SarifRun,
  rule: SarifRule | undefined,
  result: JsonFields,
  message: string | undefined,
  logicalNames: readonly string[],
  path: string | undefined,
): Component | undefined {
  const purl =
    logicalNames.find((name) => name.startsWith('pkg:')) ??
    purlIn(result.object('properties')) ??
    purlIn(rule?.properties);
  if (run.producer.includes('grype')) {
    const facts = textFacts(rule?.helpText);
    const fixed = fixedFrom(facts.get('fix version'));
    if (purl !== undefined) return fromPurl(purl, fixed, path);
    const name = facts.get('package');
    if (name === undefined) return undefined;
    const component: Component = { name: truncate(name, 500)!, fixedVersions: fixed };
    const version = facts.get('version');
    if (version !== undefined) component.version = truncate(version, 200)!;
    const type = GRYPE_TYPES[facts.get('type') ?? ''];
    if (type !== undefined) {
      component.ecosystem = type;
      // Grype names Java archives without their group: no correct Maven purl can be built.
      if (type !== 'maven') component.purl = buildPurl(type, name, version);
    }
    const location = facts.get('location') ?? path;
    if (location !== undefined) component.path = truncate(location, 2000)!;
    return component;
  }
  if (run.producer.includes('trivy')) {
    const facts = textFacts(message);
    const fixed = fixedFrom(facts.get('fixed version'));
    if (purl !== undefined) return fromPurl(purl, fixed, path);
    const name = facts.get('package');
    if (name === undefined) return undefined;
    const component: Component = { name: truncate(name, 500)!, fixedVersions: fixed };
    const version = facts.get('installed version');
    if (version !== undefined) component.version = truncate(version, 200)!;
    if (path !== undefined) component.path = truncate(path, 2000)!;
    return component;
  }
  if (purl === undefined) return undefined;
  const component = fromPurl(purl, [], path);
  if (component !== undefined && component.ecosystem === undefined) {
    const type = purlType(purl);
    if (type !== undefined) component.ecosystem = type;
  }
  return component;
}
