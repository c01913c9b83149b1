import { hash } from 'node:crypto';
import type { FingerprintBasis } from './types';

/**
 * Collapses whitespace and case so a reformatted line keeps its identity; digits stay, since
 * a changed constant can be a different finding.
 */
export function normalizeSnippet(snippet: string | undefined): string {
  if (snippet === undefined) return '';
  return snippet.replace(/\s+/g, ' ').trim().toLowerCase().slice(0, 500);
}

/** Forward slashes, no leading `./` or `/`, no `file://` scheme: the same file from any runner. */
export function normalizePath(path: string): string {
  return path
    .replace(/^file:\/+/, '')
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '');
}

/** `<length>:<text>`: parts joined this way cannot run into each other. */
function part(text: string): string {
  return `${text.length}:${text}`;
}

/** The basis as text: its kind, the asset, then its own parts. */
function material(basis: FingerprintBasis, assetId: string): string {
  const head = `9:hum-fp-v1|${part(basis.kind)}|${part(assetId)}`;
  switch (basis.kind) {
    case 'tool':
      return `${head}|${part(basis.tool.toLowerCase())}|${part(basis.ruleId)}|${part(basis.value)}`;
    case 'dependency':
      return `${head}|${part(basis.vulnerabilityId.toUpperCase())}|${part(basis.packageId.toLowerCase())}`;
    case 'code':
      return `${head}|${part(basis.tool.toLowerCase())}|${part(basis.ruleId)}|${part(normalizePath(basis.path))}|${part(basis.anchor)}`;
    case 'resource':
      return `${head}|${part(basis.tool.toLowerCase())}|${part(basis.ruleId)}|${part(basis.resource)}`;
  }
}

/**
 * The stable identity of a finding on an asset: SHA-256 over the basis and the asset id.
 * Dependency findings leave the tool out, so Trivy and Grype reporting the same CVE in the
 * same package of the same asset are one finding.
 */
export function computeFingerprint(basis: FingerprintBasis, assetId: string): string {
  // The one-shot hash: a Hash object per finding costs more than hashing the few bytes.
  return hash('sha256', material(basis, assetId), 'hex');
}
