import { REDACTED } from './secret';

const MASK = '***';

// `scheme://user:password@host`, matched as text so a URL that does not parse is masked too;
// the password runs to the last `@` of the authority, as people do paste unencoded `@`s.
const CREDENTIALS_IN_URL = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#]*@/i;

/** The URL with its password replaced by `***`; text without credentials is returned as is. */
export function redactUrl(url: string): string {
  return url.replace(CREDENTIALS_IN_URL, `$1:${MASK}@`);
}

/** Whether {@link redactUrl} would change the text, i.e. it carries a password. */
export function hasUrlPassword(url: string): boolean {
  return CREDENTIALS_IN_URL.test(url);
}

/** Replaces every occurrence of `secret` in `text`; for messages built from foreign errors. */
export function scrub(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length === 0) return text;
  return text.split(secret).join(REDACTED);
}
