import { Inject, Injectable } from '@nestjs/common';
import type { AuditDraft } from '@hum/audit';
import {
  type AccessDenials,
  type DenialReason,
  type HttpRequestLike,
  type Principal,
  principalId,
} from '@hum/auth';
import { LOGGER, type Logger } from '@hum/observability';
import { Refused } from '../http/refusal';
import { ChangeRunner } from './change-runner';

function actorOf(principal: Principal): AuditDraft['actor'] {
  return principal.kind === 'person'
    ? { type: 'user', id: principal.id }
    : { type: 'api-key', id: principal.keyId };
}

/**
 * Refused attempts to change something are decisions too: who tried what, and why it was
 * refused, go into the audit chain with outcome `denied`, while the attempted change itself
 * rolled back.
 */
@Injectable()
export class DeniedAttempts implements AccessDenials {
  private readonly log: Logger;

  constructor(
    private readonly changes: ChangeRunner,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ context: DeniedAttempts.name });
  }

  /** Runs `work`; a {@link Refused} is audited and turned into its problem response. */
  async guard<T>(
    principal: Principal,
    action: string,
    entity: AuditDraft['entity'],
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      await this.record(principal, action, entity, error.code, error.reason);
      throw error.toProblem();
    }
  }

  async record(
    principal: Principal,
    action: string,
    entity: AuditDraft['entity'],
    code: string,
    reason: string,
  ): Promise<void> {
    await this.changes.run(
      async (_trx, effects) => {
        effects.audit({
          actor: actorOf(principal),
          action,
          entity,
          outcome: 'denied',
          details: { code, reason },
        });
      },
      { awaitPublication: false },
    );
    this.log.info({ actor: principalId(principal), action, code }, 'attempt denied');
  }

  /** The access guard's refusals (missing role, missing CSRF token) on state-changing routes. */
  async denied(
    principal: Principal,
    request: HttpRequestLike,
    reason: DenialReason,
    detail: string,
  ): Promise<void> {
    const route = `${request.method} ${(request.url ?? '').split('?')[0]}`;
    await this.record(
      principal,
      'access.request.denied',
      { type: 'route', id: route.slice(0, 300) },
      reason,
      detail,
    );
  }
}
