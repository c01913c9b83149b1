import { consoleDetailUrl, TicketRouting } from '@hum/ticketing';
import type { DispatcherConfig } from './config';

/**
 * The routing file, validated, with the console's page of a group as the "full list" link of
 * a ticket cut to fit a field limit when the file names no page of its own: a reader of a
 * long ticket then always has somewhere to go, once HUM_CONSOLE_URL or the file says where.
 */
export function loadRouting(
  config: Pick<DispatcherConfig, 'TICKET_ROUTING_FILE' | 'TICKET_PROVIDERS' | 'HUM_CONSOLE_URL'>,
): TicketRouting {
  return TicketRouting.load(
    config.TICKET_ROUTING_FILE,
    config.TICKET_PROVIDERS,
    config.HUM_CONSOLE_URL !== undefined
      ? { detailUrl: consoleDetailUrl(config.HUM_CONSOLE_URL) }
      : {},
  );
}
