import { Router, type RouteHandler, type RouteMatch } from '../server/router';

interface RestRoute {
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
}

/**
 * The shared router plus routes whose last parameter takes the rest of the path, slashes
 * included (`/repos/:owner/:repo/contents/*path`): Git ref names and file paths contain `/`,
 * and GitHub's URL templates leave them unencoded. Rest routes are tried first.
 */
export class RestRouter extends Router {
  private readonly rest: RestRoute[] = [];

  addRest(method: string, pattern: string, handler: RouteHandler): this {
    this.rest.push({
      method: method.toUpperCase(),
      segments: pattern.split('/').filter((s) => s.length > 0),
      handler,
    });
    return this;
  }

  override match(method: string, path: string): RouteMatch {
    const actual = path.split('/').filter((s) => s.length > 0);
    let pathMatched = false;
    for (const route of this.rest) {
      const params = matchRest(route.segments, actual);
      if (params === undefined) continue;
      pathMatched = true;
      if (route.method === method.toUpperCase())
        return { kind: 'found', handler: route.handler, params, isPublic: false };
    }
    const plain = super.match(method, path);
    if (plain.kind === 'not-found' && pathMatched) return { kind: 'method-not-allowed' };
    return plain;
  }
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function matchRest(
  pattern: readonly string[],
  actual: readonly string[],
): Record<string, string> | undefined {
  const last = pattern[pattern.length - 1];
  if (last === undefined || !last.startsWith('*') || actual.length < pattern.length)
    return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length - 1; i += 1) {
    const expected = pattern[i]!;
    const value = decode(actual[i]!);
    if (value === undefined) return undefined;
    if (expected.startsWith(':')) params[expected.slice(1)] = value;
    else if (expected !== actual[i]) return undefined;
  }
  const rest = actual.slice(pattern.length - 1).map(decode);
  if (rest.some((s) => s === undefined)) return undefined;
  params[last.slice(1)] = rest.join('/');
  return params;
}
