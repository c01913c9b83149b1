const HTTP_PREFIX = /^https?:\/\//i;
// Hosts of plain ASCII labels (none an `xn--` punycode label, the last starting with a letter so
// the IPv4 rules never apply), an optional port below 10000 and printable ASCII after: the WHATWG
// parser accepts every such URL, so most references need no parse at all.
const PLAIN_HTTP_URL =
  /^https?:\/\/(?!xn--)[a-z0-9-]+(?:\.(?!xn--)[a-z0-9-]+)*\.[a-z][a-z0-9-]*(?::\d{1,4})?(?:[/?#][\x21-\x7e]*)?$/i;

/**
 * Whether `text` (already trimmed) is an absolute http(s) URL that the Finding v1 contract
 * accepts as a reference: `http://` or `https://` followed by what the WHATWG URL parser takes.
 */
export function isHttpUrl(text: string): boolean {
  return HTTP_PREFIX.test(text) && (PLAIN_HTTP_URL.test(text) || parsesAsUrl(text));
}

/**
 * The WHATWG parser's verdict, as zod's `z.url()` gets it. Not `URL.canParse`: once optimised,
 * Node 20's canParse misreads text with Latin-1 characters (`https://é/` becomes unparseable).
 */
function parsesAsUrl(text: string): boolean {
  try {
    return new URL(text).href !== '';
  } catch {
    // The parser's only way of saying no.
    return false;
  }
}
