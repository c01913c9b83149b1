/**
 * Structural validation of Atlassian Document Format, the rich text of Jira Cloud REST v3.
 * Jira refuses a description or comment that is not a well-formed ADF document; this checks
 * the node types hum can produce, their nesting, attributes and marks.
 * https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */
export interface AdfNode {
  readonly type: string;
  readonly attrs?: Record<string, unknown>;
  readonly content?: readonly AdfNode[];
  readonly text?: string;
  readonly marks?: ReadonlyArray<{
    readonly type: string;
    readonly attrs?: Record<string, unknown>;
  }>;
}

export interface AdfDocument extends AdfNode {
  readonly type: 'doc';
  readonly version: 1;
  readonly content: readonly AdfNode[];
}

const INLINE = new Set(['text', 'hardBreak', 'mention', 'emoji', 'inlineCard', 'date', 'status']);
const LIST_ITEM_CHILDREN = new Set(['paragraph', 'bulletList', 'orderedList', 'codeBlock']);
const TOP_LEVEL = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'codeBlock',
  'blockquote',
  'rule',
  'panel',
  'table',
  'expand',
]);
const CELL_CHILDREN = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'codeBlock',
  'blockquote',
  'rule',
  'panel',
]);

/** Which children each node type may hold; undefined means a leaf. */
const CHILDREN: Record<string, ReadonlySet<string> | undefined> = {
  doc: TOP_LEVEL,
  paragraph: INLINE,
  heading: INLINE,
  bulletList: new Set(['listItem']),
  orderedList: new Set(['listItem']),
  listItem: LIST_ITEM_CHILDREN,
  codeBlock: new Set(['text']),
  blockquote: new Set(['paragraph', 'bulletList', 'orderedList', 'codeBlock']),
  panel: new Set(['paragraph', 'heading', 'bulletList', 'orderedList']),
  table: new Set(['tableRow']),
  tableRow: new Set(['tableHeader', 'tableCell']),
  tableHeader: CELL_CHILDREN,
  tableCell: CELL_CHILDREN,
  expand: CELL_CHILDREN,
  rule: undefined,
  text: undefined,
  hardBreak: undefined,
  mention: undefined,
  emoji: undefined,
  inlineCard: undefined,
  date: undefined,
  status: undefined,
};

const MARKS = new Set([
  'strong',
  'em',
  'code',
  'strike',
  'underline',
  'link',
  'subsup',
  'textColor',
]);
const PANEL_TYPES = new Set(['info', 'note', 'warning', 'success', 'error']);

/** Undefined when `value` is a valid ADF document, else where and why it is not. */
export function adfProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the value is not an object';
  if (value['type'] !== 'doc') return "the root node's type is not 'doc'";
  if (value['version'] !== 1) return 'the document version is not 1';
  if (!Array.isArray(value['content'])) return 'the document has no content array';
  return nodeProblem(value, 'doc', '$');
}

function nodeProblem(
  node: Record<string, unknown>,
  type: string,
  path: string,
): string | undefined {
  const allowedKeys =
    type === 'doc' ? ['type', 'version', 'content'] : ['type', 'attrs', 'content', 'text', 'marks'];
  for (const key of Object.keys(node)) {
    if (!allowedKeys.includes(key)) return `${path}: unexpected property '${key}'`;
  }
  const attrs = node['attrs'];
  if (attrs !== undefined && !isObject(attrs)) return `${path}: attrs must be an object`;
  const attrProblem = attributesProblem(type, (attrs ?? {}) as Record<string, unknown>, path);
  if (attrProblem) return attrProblem;

  if (type === 'text') {
    const text = node['text'];
    if (typeof text !== 'string' || text.length === 0)
      return `${path}: text nodes need non-empty text`;
    return marksProblem(node['marks'], path);
  }
  if (node['text'] !== undefined) return `${path}: only text nodes carry text`;
  if (node['marks'] !== undefined) return `${path}: only text nodes carry marks`;

  const allowed = CHILDREN[type];
  const content = node['content'];
  if (allowed === undefined) {
    return content === undefined || (Array.isArray(content) && content.length === 0)
      ? undefined
      : `${path}: '${type}' cannot have content`;
  }
  if (content === undefined)
    return needsChildren(type) ? `${path}: '${type}' needs content` : undefined;
  if (!Array.isArray(content)) return `${path}: content must be an array`;
  if (needsChildren(type) && content.length === 0) return `${path}: '${type}' needs content`;
  for (const [index, child] of content.entries()) {
    const childPath = `${path}.content[${index}]`;
    if (!isObject(child) || typeof child['type'] !== 'string') return `${childPath}: not a node`;
    const childType = child['type'];
    if (!(childType in CHILDREN)) return `${childPath}: unknown node type '${childType}'`;
    if (!allowed.has(childType))
      return `${childPath}: '${childType}' is not allowed inside '${type}'`;
    if (type === 'codeBlock' && child['marks'] !== undefined)
      return `${childPath}: code blocks take no marks`;
    const problem = nodeProblem(child, childType, childPath);
    if (problem) return problem;
  }
  if (type === 'listItem' && isObject(content[0]) && content[0]['type'] !== 'paragraph') {
    return `${path}: a list item starts with a paragraph`;
  }
  return undefined;
}

function needsChildren(type: string): boolean {
  return [
    'bulletList',
    'orderedList',
    'listItem',
    'blockquote',
    'panel',
    'table',
    'tableRow',
    'tableHeader',
    'tableCell',
    'expand',
  ].includes(type);
}

function attributesProblem(
  type: string,
  attrs: Record<string, unknown>,
  path: string,
): string | undefined {
  switch (type) {
    case 'heading': {
      const level = attrs['level'];
      return Number.isInteger(level) && (level as number) >= 1 && (level as number) <= 6
        ? undefined
        : `${path}: heading level must be 1 to 6`;
    }
    case 'orderedList': {
      const order = attrs['order'];
      return order === undefined || (Number.isInteger(order) && (order as number) >= 0)
        ? undefined
        : `${path}: order must be a non-negative integer`;
    }
    case 'codeBlock':
      return attrs['language'] === undefined || typeof attrs['language'] === 'string'
        ? undefined
        : `${path}: language must be a string`;
    case 'panel':
      return PANEL_TYPES.has(String(attrs['panelType'])) ? undefined : `${path}: unknown panelType`;
    case 'mention':
      return typeof attrs['id'] === 'string' ? undefined : `${path}: mention needs attrs.id`;
    case 'emoji':
      return typeof attrs['shortName'] === 'string'
        ? undefined
        : `${path}: emoji needs attrs.shortName`;
    case 'inlineCard':
      return typeof attrs['url'] === 'string' ? undefined : `${path}: inlineCard needs attrs.url`;
    case 'date':
      return typeof attrs['timestamp'] === 'string'
        ? undefined
        : `${path}: date needs attrs.timestamp`;
    case 'status':
      return typeof attrs['text'] === 'string' && typeof attrs['color'] === 'string'
        ? undefined
        : `${path}: status needs attrs.text and attrs.color`;
    default:
      return undefined;
  }
}

function marksProblem(marks: unknown, path: string): string | undefined {
  if (marks === undefined) return undefined;
  if (!Array.isArray(marks)) return `${path}: marks must be an array`;
  for (const [index, mark] of marks.entries()) {
    const markPath = `${path}.marks[${index}]`;
    if (!isObject(mark) || typeof mark['type'] !== 'string' || !MARKS.has(mark['type'])) {
      return `${markPath}: unknown mark`;
    }
    const attrs = (mark['attrs'] ?? {}) as Record<string, unknown>;
    if (mark['type'] === 'link' && typeof attrs['href'] !== 'string')
      return `${markPath}: link needs attrs.href`;
    if (mark['type'] === 'subsup' && attrs['type'] !== 'sub' && attrs['type'] !== 'sup') {
      return `${markPath}: subsup type must be sub or sup`;
    }
    if (mark['type'] === 'textColor' && !/^#[0-9a-fA-F]{6}$/.test(String(attrs['color']))) {
      return `${markPath}: textColor needs a #rrggbb color`;
    }
  }
  return undefined;
}

/** The document's text, blocks separated by newlines, for search and the ticket page. */
export function adfToPlainText(value: unknown): string {
  if (!isObject(value)) return '';
  const blocks: string[] = [];
  const walk = (node: unknown, sink: string[]): void => {
    if (!isObject(node)) return;
    if (node['type'] === 'text' && typeof node['text'] === 'string') sink.push(node['text']);
    else if (node['type'] === 'hardBreak') sink.push('\n');
    else if (node['type'] === 'mention' || node['type'] === 'emoji')
      sink.push(String((node['attrs'] as Record<string, unknown> | undefined)?.['text'] ?? ''));
    else if (node['type'] === 'inlineCard')
      sink.push(String((node['attrs'] as Record<string, unknown> | undefined)?.['url'] ?? ''));
    const content = node['content'];
    if (Array.isArray(content)) for (const child of content) walk(child, sink);
  };
  const content = value['content'];
  if (!Array.isArray(content)) return '';
  for (const block of content) {
    const parts: string[] = [];
    walk(block, parts);
    blocks.push(parts.join(''));
  }
  return blocks.join('\n').trim();
}

/** Plain text as an ADF document of one paragraph per line. */
export function plainTextToAdf(text: string): AdfDocument {
  return {
    type: 'doc',
    version: 1,
    content: text
      .split('\n')
      .map((line) =>
        line === ''
          ? { type: 'paragraph' }
          : { type: 'paragraph', content: [{ type: 'text', text: line }] },
      ),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
