/**
 * Ticket text in a vendor-neutral shape: a few block kinds every tracker can render (ADF for
 * Jira Cloud, wiki markup for Jira Data Center, plain text for ServiceNow). Content is built
 * once and rendered per provider, so a group's ticket reads the same everywhere.
 */
export interface Inline {
  readonly text: string;
  readonly bold?: boolean;
  readonly code?: boolean;
  readonly href?: string;
}

export type Block =
  | { readonly kind: 'heading'; readonly text: string }
  | { readonly kind: 'paragraph'; readonly inlines: readonly Inline[] }
  /**
   * `truncatable`: items may be dropped from the end to fit a field limit (the list of a
   * group's findings); the reader is then told how many were left out and where to see them.
   */
  | {
      readonly kind: 'list';
      readonly items: readonly (readonly Inline[])[];
      readonly truncatable?: boolean;
    };

export interface TicketDocument {
  readonly blocks: readonly Block[];
}

export const text = (value: string): Inline => ({ text: value });
export const bold = (value: string): Inline => ({ text: value, bold: true });
export const code = (value: string): Inline => ({ text: value, code: true });
export const link = (value: string, href: string): Inline => ({ text: value, href });

export function paragraph(...inlines: Inline[]): Block {
  return { kind: 'paragraph', inlines };
}

export function heading(value: string): Block {
  return { kind: 'heading', text: value };
}

export function documentOf(...blocks: Block[]): TicketDocument {
  return { blocks };
}

/** A document of one paragraph per line of `value`. */
export function plainDocument(value: string): TicketDocument {
  return {
    blocks: value
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => paragraph(text(line))),
  };
}
