import type { JiraUserAccount } from './jira-model';

export type UserReference =
  | { readonly ok: true; readonly accountId: string | null }
  | { readonly ok: false; readonly message: string };

/**
 * What differs between Jira Cloud (REST v3) and Data Center (REST v2) beyond auth: how rich
 * text is written (ADF vs wiki markup) and how people are named (accountId vs user name).
 */
export interface JiraDialect {
  readonly flavour: 'cloud' | 'data-center';
  readonly apiVersion: '2' | '3';
  /** Undefined when the value is acceptable rich text, else Jira's message for the field. */
  richTextProblem(value: unknown): string | undefined;
  /** The length Jira checks against the 32,767-character limit. */
  richTextLength(value: unknown): number;
  plainText(value: unknown): string;
  /** Plain text in the dialect's rich-text form, for comments a simulated human writes. */
  fromPlainText(text: string): unknown;
  userReference(value: unknown, users: readonly JiraUserAccount[], field: string): UserReference;
  renderUser(user: JiraUserAccount, baseUrl: string): Record<string, unknown>;
}

export function avatarUrls(baseUrl: string, id: string): Record<string, string> {
  return Object.fromEntries(
    ['16x16', '24x24', '32x32', '48x48'].map((size) => [
      size,
      `${baseUrl}/secure/useravatar?size=${size}&ownerId=${encodeURIComponent(id)}`,
    ]),
  );
}
