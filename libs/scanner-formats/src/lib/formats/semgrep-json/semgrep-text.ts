/**
 * A title from a Semgrep message: its first sentence, with the hard line wraps rule authors put
 * in messages joined up, at most 300 characters.
 */
export function firstSentence(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  const text = message.replace(/\s+/g, ' ').trim();
  if (text === '') return undefined;
  const end = text.search(/[.!?](\s|$)/);
  const sentence = end === -1 ? text : text.slice(0, end + 1);
  return sentence.length <= 300 ? sentence : `${sentence.slice(0, 299)}…`;
}
