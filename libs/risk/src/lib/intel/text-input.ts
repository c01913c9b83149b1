import { gunzipSync } from 'node:zlib';

/** The official EPSS file is published gzipped; accept it as downloaded, or already as text. */
export function textOf(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  const gzipped = input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b;
  const bytes = gzipped ? gunzipSync(input) : input;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

export function isCveId(value: string): boolean {
  return CVE_ID.test(value);
}

/** Lookups accept `cve-2021-44228 ` as well as the canonical form. */
export function normalizeCveId(value: string): string {
  return value.trim().toUpperCase();
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date in YYYY-MM-DD form (rejects 2025-02-30). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}
