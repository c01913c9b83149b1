import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { ReportParseError } from '../../core/errors';
import type { FormatId, ReportSource } from '../../core/types';

/** One element of a collected subtree: children in document order, text concatenated. */
export interface XmlElement {
  /** Local name: a namespace prefix (`dc:analysis`) is dropped. */
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Text and CDATA directly inside the element, untrimmed. */
  text: string;
  /** Where the start tag ends (1-based line, 0-based column as saxes counts them). */
  readonly line: number;
  readonly column: number;
}

export interface XmlAncestor {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface CollectedElement {
  /** Element names from the root, joined with `/`: `OWASPZAPReport/site/alerts/alertitem`. */
  readonly path: string;
  readonly element: XmlElement;
  /** The open elements above it, root first (names and attributes only). */
  readonly ancestors: readonly XmlAncestor[];
}

export interface XmlStreamOptions {
  readonly format: FormatId;
  /** Expected local name of the root element; anything else is not this format. */
  readonly root: string;
  /** Paths (as in {@link CollectedElement.path}) whose subtrees are built and yielded. */
  readonly collect: readonly string[];
  /** Element names never built inside a collected subtree (bulky parts a parser ignores). */
  readonly skip?: readonly string[];
}

const SAXES_POSITION_PREFIX = /^(?:[^:]*:)?\d+:\d+: /;

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/**
 * Streams an XML report and yields the subtrees at the requested paths as each one closes, so
 * memory holds one subtree plus a chunk, never the document. Syntax errors become
 * ReportParseError with line and column. A DOCTYPE is refused outright: scanner reports never
 * need one, and its entity declarations are how XXE and entity-expansion attacks arrive.
 */
export async function* streamXmlElements(
  source: ReportSource,
  options: XmlStreamOptions,
): AsyncGenerator<CollectedElement> {
  const collect = new Set(options.collect);
  const skip = new Set(options.skip ?? []);
  const parser = new SaxesParser({ position: true, xmlns: false });
  const ready: CollectedElement[] = [];
  const paths: string[] = [];
  const ancestors: XmlAncestor[] = [];
  const building: XmlElement[] = [];
  let skipDepth = 0;
  let collectedAncestors: readonly XmlAncestor[] = [];

  const fail = (message: string): never => {
    throw new ReportParseError(options.format, message, {
      line: parser.line,
      column: parser.column,
    });
  };

  parser.on('error', (error) =>
    fail(`malformed XML: ${error.message.replace(SAXES_POSITION_PREFIX, '')}`),
  );
  parser.on('doctype', () =>
    fail('DOCTYPE declarations are not accepted (external entities are never resolved)'),
  );
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const name = localName(tag.name);
    const parentPath = paths[paths.length - 1];
    if (parentPath === undefined && name !== options.root) {
      fail(`root element is <${name}>, expected <${options.root}>`);
    }
    const path = parentPath === undefined ? name : `${parentPath}/${name}`;
    paths.push(path);
    if (building.length > 0) {
      if (skipDepth > 0 || skip.has(name)) {
        skipDepth += 1;
        return;
      }
      const element = newElement(name, tag, parser);
      building[building.length - 1]!.children.push(element);
      building.push(element);
      return;
    }
    if (collect.has(path)) {
      building.push(newElement(name, tag, parser));
      collectedAncestors = ancestors.slice();
      return;
    }
    ancestors.push({ name, attributes: tag.attributes });
  });
  const onText = (text: string): void => {
    if (building.length > 0 && skipDepth === 0) building[building.length - 1]!.text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const path = paths.pop()!;
    if (building.length === 0) {
      ancestors.pop();
      return;
    }
    if (skipDepth > 0) {
      skipDepth -= 1;
      return;
    }
    const element = building.pop()!;
    if (building.length === 0) ready.push({ path, element, ancestors: collectedAncestors });
  });

  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of source.chunks()) {
    let text = decoder.write(chunk);
    if (first && text.length > 0) {
      // A UTF-8 byte-order mark is not content; saxes would call it text before the root.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    parser.write(text);
    yield* ready.splice(0, ready.length);
  }
  parser.write(decoder.end());
  parser.close();
  yield* ready.splice(0, ready.length);
}

function newElement(name: string, tag: SaxesTagPlain, parser: SaxesParser): XmlElement {
  return {
    name,
    attributes: tag.attributes,
    children: [],
    text: '',
    line: parser.line,
    column: parser.column,
  };
}
