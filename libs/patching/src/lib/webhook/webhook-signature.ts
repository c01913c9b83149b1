import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Headers of hum's signed executor requests and of the executor's callbacks. */
export const WEBHOOK_HEADERS = {
  signature: 'x-hum-signature',
  timestamp: 'x-hum-timestamp',
  idempotencyKey: 'idempotency-key',
} as const;

/** How far a signed request's timestamp may be from now before it is treated as a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`): the timestamp is signed too. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type SignatureCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: 'missing' | 'stale' | 'mismatch' };

export function verifyWebhookSignature(input: {
  readonly secret: string;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  readonly body: string;
  readonly now: Date;
  readonly toleranceSeconds?: number;
}): SignatureCheck {
  if (
    input.signature === undefined ||
    input.timestamp === undefined ||
    !/^\d{1,12}$/.test(input.timestamp)
  )
    return { ok: false, reason: 'missing' };
  const at = Number(input.timestamp);
  const tolerance = input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(input.now.getTime() / 1000 - at) > tolerance) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signWebhook(input.secret, at, input.body));
  const presented = Buffer.from(input.signature);
  return expected.length === presented.length && timingSafeEqual(expected, presented)
    ? { ok: true }
    : { ok: false, reason: 'mismatch' };
}

/** What an executor reports about a patch, by callback or when polled. */
export const ExecutorResult = z
  .object({
    attemptKey: z.string().min(1).max(300),
    status: z.enum(['accepted', 'running', 'succeeded', 'failed']),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    detail: z.string().max(3000).optional(),
  })
  .strict();
export type ExecutorResult = z.infer<typeof ExecutorResult>;
