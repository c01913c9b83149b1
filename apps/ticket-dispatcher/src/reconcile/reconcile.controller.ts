import { Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { TICKET_PROVIDERS, type TicketProviderName } from '@hum/contracts';
import { OpsTokenGuard } from '@hum/observability';
import { ProblemException } from '@hum/runtime';
import { type ReconcileReport, Reconciler } from './reconciler';

/** Reconciliation on demand, for operators (the ops bearer token). */
@Controller('v1/reconcile')
@UseGuards(OpsTokenGuard)
export class ReconcileController {
  constructor(private readonly reconciler: Reconciler) {}

  @Post()
  @HttpCode(200)
  async reconcile(@Query('provider') provider?: string): Promise<ReconcileReport> {
    if (provider !== undefined && !(TICKET_PROVIDERS as readonly string[]).includes(provider)) {
      throw new ProblemException({
        status: 400,
        code: 'unknown-provider',
        title: 'Unknown provider',
        detail: `provider must be one of ${TICKET_PROVIDERS.join(', ')}`,
        errors: [{ parameter: 'provider', detail: `"${provider}" is not a ticket provider` }],
      });
    }
    const report = await this.reconciler.run(provider as TicketProviderName | undefined);
    if (report.skipped !== undefined) {
      throw new ProblemException({
        status: 409,
        code: 'reconcile-running',
        title: 'Reconciliation already running',
        detail: report.skipped,
      });
    }
    return report;
  }
}
