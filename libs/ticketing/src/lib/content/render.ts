import type { Block, Inline, TicketDocument } from './document';

/** A rendering of a document for one tracker, and how that tracker measures its length. */
export interface DocumentRenderer<T> {
  render(document: TicketDocument): T;
  /** Characters the tracker counts against its field limit. */
  measure(rendered: T): number;
}

export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
}

export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

function adfInline(inline: Inline): AdfNode | undefined {
  // ADF refuses empty text nodes.
  if (inline.text === '') return undefined;
  const marks: NonNullable<AdfNode['marks']> = [];
  if (inline.bold) marks.push({ type: 'strong' });
  if (inline.code) marks.push({ type: 'code' });
  if (inline.href !== undefined) marks.push({ type: 'link', attrs: { href: inline.href } });
  return marks.length > 0
    ? { type: 'text', text: inline.text, marks }
    : { type: 'text', text: inline.text };
}

function adfParagraph(inlines: readonly Inline[]): AdfNode {
  const content = inlines.map(adfInline).filter((node): node is AdfNode => node !== undefined);
  return content.length > 0 ? { type: 'paragraph', content } : { type: 'paragraph' };
}

function adfBlock(block: Block): AdfNode | undefined {
  switch (block.kind) {
    case 'heading':
      return block.text === ''
        ? undefined
        : { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: block.text }] };
    case 'paragraph':
      return adfParagraph(block.inlines);
    case 'list':
      return block.items.length === 0
        ? undefined
        : {
            type: 'bulletList',
            content: block.items.map((item) => ({
              type: 'listItem',
              content: [adfParagraph(item)],
            })),
          };
  }
}

/** Atlassian Document Format (Jira Cloud REST v3); Jira counts the document's JSON length. */
export const adfRenderer: DocumentRenderer<AdfDocument> = {
  render: (document) => ({
    type: 'doc',
    version: 1,
    content: document.blocks.map(adfBlock).filter((node): node is AdfNode => node !== undefined),
  }),
  measure: (rendered) => JSON.stringify(rendered).length,
};

// Characters that start wiki-markup effects; escaped so finding titles render as written.
const WIKI_SPECIAL = /([\\{}[\]|*_^~+!])/g;

function escapeWiki(value: string): string {
  return value.replace(WIKI_SPECIAL, '\\$1');
}

function wikiInline(inline: Inline): string {
  if (inline.text === '') return '';
  if (inline.href !== undefined) {
    return `[${inline.text.replace(/[[\]|]/g, ' ')}|${inline.href}]`;
  }
  if (inline.code) return `{{${inline.text.replace(/[{}]/g, ' ')}}}`;
  const escaped = escapeWiki(inline.text);
  return inline.bold ? `*${escaped}*` : escaped;
}

function wikiLine(inlines: readonly Inline[]): string {
  return inlines.map(wikiInline).join('').replace(/\r?\n/g, ' ');
}

/** Jira wiki markup (Jira Data Center REST v2). */
export const wikiRenderer: DocumentRenderer<string> = {
  render: (document) =>
    document.blocks
      .map((block) => {
        switch (block.kind) {
          case 'heading':
            return `h3. ${escapeWiki(block.text)}`;
          case 'paragraph':
            return wikiLine(block.inlines);
          case 'list':
            return block.items.map((item) => `* ${wikiLine(item)}`).join('\n');
        }
      })
      .filter((line) => line !== '')
      .join('\n\n'),
  measure: (rendered) => rendered.length,
};

function plainInline(inline: Inline): string {
  return inline.href !== undefined && inline.href !== inline.text
    ? `${inline.text} (${inline.href})`
    : inline.text;
}

/** Plain text (ServiceNow's description and work notes). */
export const plainTextRenderer: DocumentRenderer<string> = {
  render: (document) =>
    document.blocks
      .map((block) => {
        switch (block.kind) {
          case 'heading':
            return block.text.toUpperCase();
          case 'paragraph':
            return block.inlines.map(plainInline).join('');
          case 'list':
            return block.items.map((item) => `- ${item.map(plainInline).join('')}`).join('\n');
        }
      })
      .filter((line) => line !== '')
      .join('\n\n'),
  measure: (rendered) => rendered.length,
};
