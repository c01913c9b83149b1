/** One dependency upgrade, as the decision chose it. */
export interface Bump {
  /** As the ecosystem names it: `lodash`, `org.apache.logging.log4j:log4j-core`, `Django`. */
  readonly name: string;
  readonly fromVersion: string;
  readonly toVersion: string;
}

export type ManifestRefusal =
  /** The manifest does not declare the component (a transitive dependency it cannot pin). */
  | 'dependency-not-found'
  /** It does, in a form a bot must not rewrite (a range, a hash-pinned line, a digest). */
  | 'unsupported-manifest';

export type EditResult =
  | {
      readonly ok: true;
      readonly content: string;
      /** What changed, for the commit message and the pull request. */
      readonly summary: string;
      /** What a person must still do (regenerate a lockfile, go.sum...). */
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly reason: ManifestRefusal; readonly detail: string };

export function refused(reason: ManifestRefusal, detail: string): EditResult {
  return { ok: false, reason, detail };
}

export function edited(
  content: string,
  summary: string,
  notes: readonly string[] = [],
): EditResult {
  return { ok: true, content, summary, notes };
}

/** The line ending a file uses, so an edit does not turn a CRLF file into a mixed one. */
export function lineEnding(text: string): '\r\n' | '\n' {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
