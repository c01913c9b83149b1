import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type PresentedCredentials =
  | { readonly scheme: 'none' }
  | { readonly scheme: 'basic'; readonly username: string; readonly password: string }
  | { readonly scheme: 'bearer'; readonly token: string }
  | { readonly scheme: 'other' };

export function presentedCredentials(headers: IncomingHttpHeaders): PresentedCredentials {
  const header = headers.authorization;
  if (header === undefined || header.trim() === '') return { scheme: 'none' };
  const [first, ...rest] = header.trim().split(/\s+/);
  const scheme: string = (first ?? '').toLowerCase();
  const value = rest.join(' ');
  switch (scheme) {
    case 'basic': {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return { scheme: 'other' };
      return {
        scheme: 'basic',
        username: decoded.slice(0, colon),
        password: decoded.slice(colon + 1),
      };
    }
    case 'bearer':
      return value === '' ? { scheme: 'other' } : { scheme: 'bearer', token: value };
    default:
      return { scheme: 'other' };
  }
}

/** Constant-time comparison, so the fakes do not teach clients a timing side channel. */
export function secretEquals(presented: string, expected: string): boolean {
  const left = Buffer.from(presented, 'utf8');
  const right = Buffer.from(expected, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A fresh random credential for a fake that was not given one. */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
