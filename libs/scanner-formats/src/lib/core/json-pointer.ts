/** One step into a JSON document: an object key or an array index. */
export type JsonPathSegment = string | number;

const TILDE = /~/g;
const SLASH = /\//g;

function escapeToken(segment: JsonPathSegment): string {
  return typeof segment === 'number'
    ? String(segment)
    : segment.replace(TILDE, '~0').replace(SLASH, '~1');
}

/** RFC 6901 pointer for a path, e.g. `['runs', 0, 'results']` → `/runs/0/results`. */
export function jsonPointer(path: readonly JsonPathSegment[]): string {
  let out = '';
  for (const segment of path) out += `/${escapeToken(segment)}`;
  return out;
}

/** A pointer one step below `base` (a pointer itself, `''` for the root). */
export function pointerTo(base: string, segment: JsonPathSegment): string {
  return `${base}/${escapeToken(segment)}`;
}
