import type { RefusalCode } from '@hum/policy';
import { ProblemException } from '@hum/runtime';

export type AdminRefusalCode =
  | RefusalCode
  | 'not-found'
  | 'no-change'
  | 'invalid-result'
  | 'invalid-request'
  | 'not-paused'
  | 'already-revoked';

const STATUS: Readonly<Record<AdminRefusalCode, number>> = {
  'not-admin': 403,
  'not-approver': 403,
  'self-approval': 403,
  'not-yours': 403,
  'not-pending': 409,
  expired: 409,
  stale: 409,
  'no-approval-needed': 409,
  'not-paused': 409,
  'already-revoked': 409,
  'not-found': 404,
  'no-change': 422,
  'invalid-result': 422,
  'invalid-request': 400,
};

const TITLES: Readonly<Record<AdminRefusalCode, string>> = {
  'not-admin': 'Admin role required',
  'not-approver': 'Approver role required',
  'self-approval': 'A proposer cannot approve their own proposal',
  'not-yours': 'Not allowed to reject this',
  'not-pending': 'Not pending',
  expired: 'Expired',
  stale: 'The policy changed since this was proposed',
  'no-approval-needed': 'Nothing to approve',
  'not-paused': 'The tier is not paused',
  'already-revoked': 'Already revoked',
  'not-found': 'Not found',
  'no-change': 'The change changes nothing',
  'invalid-result': 'The change would make an invalid policy',
  'invalid-request': 'Invalid request',
};

/**
 * A request refused by a rule: nothing changed, the attempt is audited as `denied`, and the
 * caller gets a problem+json saying why.
 */
export class Refused extends Error {
  override readonly name = 'Refused';

  constructor(
    readonly code: AdminRefusalCode,
    readonly reason: string,
    readonly errors?: { pointer?: string; parameter?: string; detail: string }[],
  ) {
    super(reason);
  }

  get status(): number {
    return STATUS[this.code];
  }

  toProblem(): ProblemException {
    return new ProblemException({
      status: this.status,
      code: this.code,
      title: TITLES[this.code],
      detail: this.reason,
      ...(this.errors && this.errors.length > 0 ? { errors: this.errors } : {}),
    });
  }
}
