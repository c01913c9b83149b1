import { type Bump, edited, type EditResult, escapeRegExp, refused } from './manifest-edit';

/** Comments and CDATA blanked out at the same length, so offsets found here apply to the original. */
function maskComments(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, ' '));
}

interface Element {
  /** Offsets of the text content in the document. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function childText(masked: string, from: number, to: number, tag: string): Element | undefined {
  const pattern = new RegExp(`<${tag}>\\s*([^<]*?)\\s*</${tag}>`, 'g');
  pattern.lastIndex = from;
  const match = pattern.exec(masked);
  if (!match || match.index + match[0].length > to) return undefined;
  const open = match[0].indexOf('>') + 1;
  const inner = match[0].slice(open, match[0].lastIndexOf('<'));
  const lead = inner.length - inner.trimStart().length;
  const start = match.index + open + lead;
  return { start, end: start + match[1]!.length, text: match[1]! };
}

interface Declaration {
  readonly kind: 'dependency' | 'plugin';
  readonly version: Element | undefined;
}

/** `<dependency>` (and `<plugin>`) blocks naming groupId:artifactId, anywhere in the POM. */
function declarationsOf(masked: string, groupId: string, artifactId: string): Declaration[] {
  const found: Declaration[] = [];
  for (const kind of ['dependency', 'plugin'] as const) {
    const block = new RegExp(`<${kind}>([\\s\\S]*?)</${kind}>`, 'g');
    for (let match = block.exec(masked); match; match = block.exec(masked)) {
      const from = match.index;
      const to = from + match[0].length;
      const group = childText(masked, from, to, 'groupId');
      const artifact = childText(masked, from, to, 'artifactId');
      // Plugins may omit the groupId (org.apache.maven.plugins).
      const groupMatches =
        group?.text === groupId ||
        (kind === 'plugin' && group === undefined && groupId === 'org.apache.maven.plugins');
      if (!groupMatches || artifact?.text !== artifactId) continue;
      found.push({ kind, version: childText(masked, from, to, 'version') });
    }
  }
  return found;
}

/**
 * Upgrades `groupId:artifactId` in a pom.xml by editing text in place: a literal `<version>`
 * is replaced; a `${property}` version is followed to `<properties>` and the property is
 * moved (every artifact sharing it moves too — usually the point, e.g. log4j.version). A
 * version coming from a parent or BOM is refused: it must change where it is declared.
 */
export function bumpPomXml(text: string, bump: Bump): EditResult {
  const [groupId, artifactId] = bump.name.split(':');
  if (groupId === undefined || artifactId === undefined || groupId === '' || artifactId === '')
    return refused('unsupported-manifest', `"${bump.name}" is not groupId:artifactId`);
  const masked = maskComments(text);
  const declarations = declarationsOf(masked, groupId, artifactId);
  if (declarations.length === 0)
    return refused('dependency-not-found', `pom.xml does not declare ${bump.name}`);
  const edits = new Map<number, { end: number; value: string; what: string }>();
  const notes: string[] = [];
  for (const declaration of declarations) {
    const version = declaration.version;
    if (version === undefined) continue;
    const property = /^\$\{([A-Za-z0-9_.-]+)\}$/.exec(version.text)?.[1];
    if (property === undefined) {
      if (version.text !== bump.fromVersion) continue;
      edits.set(version.start, {
        end: version.end,
        value: bump.toVersion,
        what: `${bump.name} ${version.text} -> ${bump.toVersion}`,
      });
      continue;
    }
    const properties = /<properties>([\s\S]*?)<\/properties>/.exec(masked);
    const defined =
      properties === null
        ? undefined
        : childText(
            masked,
            properties.index,
            properties.index + properties[0].length,
            escapeRegExp(property),
          );
    if (defined === undefined) {
      notes.push(`\${${property}} is not defined in this pom.xml (a parent defines it)`);
      continue;
    }
    if (defined.text !== bump.fromVersion) continue;
    edits.set(defined.start, {
      end: defined.end,
      value: bump.toVersion,
      what: `property ${property} ${defined.text} -> ${bump.toVersion}`,
    });
    const sharing = new RegExp(`\\$\\{${escapeRegExp(property)}\\}`, 'g');
    const uses = masked.match(sharing)?.length ?? 0;
    if (uses > 1)
      notes.push(
        `property ${property} is used ${uses} times in pom.xml: every artifact using it moves to ${bump.toVersion}`,
      );
  }
  if (edits.size === 0)
    return refused(
      'unsupported-manifest',
      notes.length > 0
        ? `${bump.name}: ${notes.join('; ')}`
        : `pom.xml declares ${bump.name} without version ${bump.fromVersion} (managed by a parent or BOM)`,
    );
  let content = text;
  // From the end, so earlier offsets stay valid.
  for (const [start, edit] of [...edits.entries()].sort((a, b) => b[0] - a[0])) {
    content = content.slice(0, start) + edit.value + content.slice(edit.end);
  }
  return edited(content, `pom.xml: ${[...edits.values()].map((e) => e.what).join('; ')}`, notes);
}
