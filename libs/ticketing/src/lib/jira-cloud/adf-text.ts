/** The text of an ADF document (comments read back), blocks separated by newlines. */
export function adfPlainText(value: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record['type'] === 'text' && typeof record['text'] === 'string') parts.push(record['text']);
    const content = record['content'];
    if (Array.isArray(content)) {
      for (const child of content) walk(child);
      if (record['type'] === 'paragraph' || record['type'] === 'heading') parts.push('\n');
    }
  };
  walk(value);
  return parts.join('');
}
