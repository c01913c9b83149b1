import { type Block, type Inline, link, paragraph, text, type TicketDocument } from './document';
import type { DocumentRenderer } from './render';

export interface FitOptions {
  /** The tracker's limit for the field, in the units its renderer measures. */
  readonly limit: number;
  /** Where the whole content can be read when the ticket shows only part of it. */
  readonly moreLink?: string;
}

export interface Fitted<T> {
  readonly rendered: T;
  /** Items of the truncatable list left out. */
  readonly omitted: number;
  /** True when anything was cut. */
  readonly truncated: boolean;
}

function notice(omitted: number | undefined, moreLink: string | undefined): Block {
  const what =
    omitted === undefined
      ? 'Text shortened to fit the field limit.'
      : `… and ${omitted} more not shown here (field limit).`;
  const inlines: Inline[] = [text(what)];
  if (moreLink !== undefined) inlines.push(text(' Full list: '), link(moreLink, moreLink));
  return paragraph(...inlines);
}

function withListCut(document: TicketDocument, index: number, keep: number): Block[] {
  return document.blocks.map((block, i) =>
    i === index && block.kind === 'list' ? { ...block, items: block.items.slice(0, keep) } : block,
  );
}

function cutText(value: string, budget: { left: number }): string {
  const taken = value.slice(0, Math.max(0, budget.left));
  budget.left -= taken.length;
  return taken;
}

/** The document's first `chars` characters of text, structure kept as far as it goes. */
function firstCharacters(blocks: readonly Block[], chars: number): Block[] {
  const budget = { left: chars };
  const out: Block[] = [];
  for (const block of blocks) {
    if (budget.left <= 0) break;
    switch (block.kind) {
      case 'heading':
        out.push({ kind: 'heading', text: cutText(block.text, budget) });
        break;
      case 'paragraph':
        out.push(
          paragraph(
            ...block.inlines.map((inline) => ({ ...inline, text: cutText(inline.text, budget) })),
          ),
        );
        break;
      case 'list': {
        const items: Inline[][] = [];
        for (const item of block.items) {
          if (budget.left <= 0) break;
          items.push(item.map((inline) => ({ ...inline, text: cutText(inline.text, budget) })));
        }
        out.push({ ...block, items });
        break;
      }
    }
  }
  return out;
}

function textLength(blocks: readonly Block[]): number {
  let total = 0;
  for (const block of blocks) {
    if (block.kind === 'heading') total += block.text.length;
    else if (block.kind === 'paragraph')
      total += block.inlines.reduce((n, i) => n + i.text.length, 0);
    else for (const item of block.items) total += item.reduce((n, i) => n + i.text.length, 0);
  }
  return total;
}

/** Largest n in [low, high] for which `fits(n)` holds, assuming it is monotone; -1 if none. */
function largestFitting(low: number, high: number, fits: (n: number) => boolean): number {
  let best = -1;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) {
      best = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}

/**
 * Renders `document` within the tracker's field limit. A ticket must never fail for being
 * long: first items are dropped from the end of the truncatable list (the reader is told how
 * many and where the full list is), then, if that is not enough, the text itself is cut.
 */
export function fitDocument<T>(
  document: TicketDocument,
  renderer: DocumentRenderer<T>,
  options: FitOptions,
): Fitted<T> {
  const whole = renderer.render(document);
  if (renderer.measure(whole) <= options.limit)
    return { rendered: whole, omitted: 0, truncated: false };
  const render = (blocks: Block[]): T => renderer.render({ blocks });
  const fits = (blocks: Block[]): boolean => renderer.measure(render(blocks)) <= options.limit;

  let listIndex = -1;
  document.blocks.forEach((block, index) => {
    if (block.kind === 'list' && block.truncatable) listIndex = index;
  });
  if (listIndex >= 0) {
    const list = document.blocks[listIndex] as Extract<Block, { kind: 'list' }>;
    const attempt = (keep: number): Block[] => {
      const blocks = withListCut(document, listIndex, keep);
      blocks.splice(listIndex + 1, 0, notice(list.items.length - keep, options.moreLink));
      return blocks;
    };
    const keep = largestFitting(0, list.items.length - 1, (n) => fits(attempt(n)));
    if (keep >= 0) {
      return {
        rendered: render(attempt(keep)),
        omitted: list.items.length - keep,
        truncated: true,
      };
    }
  }
  const cutAt = (chars: number): Block[] => [
    ...firstCharacters(document.blocks, chars),
    notice(undefined, options.moreLink),
  ];
  const chars = largestFitting(0, textLength(document.blocks), (n) => fits(cutAt(n)));
  // Even the notice alone may not fit a tiny limit: then an empty document is the answer.
  const blocks = chars >= 0 ? cutAt(chars) : [];
  return { rendered: render(blocks), omitted: 0, truncated: true };
}

/** A single-line value cut to `limit` characters with an ellipsis (summaries, short fields). */
export function fitLine(value: string, limit: number): string {
  const line = value.replace(/\s+/g, ' ').trim();
  if (line.length <= limit) return line;
  return `${line.slice(0, Math.max(0, limit - 1)).trimEnd()}…`;
}
