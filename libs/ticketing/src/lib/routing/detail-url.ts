/**
 * The policy-admin console's page of one ticket group, as a `tickets.detailUrl` template:
 * where a ticket cut to fit a field limit points for its whole finding list when the routing
 * file names no page of its own. `consoleUrl` is where policy-admin is served; one that
 * already ends in `/console` (the address the quickstart prints) is read as the console
 * itself, so either form a user copies gives the same link.
 */
export function consoleDetailUrl(consoleUrl: string): string {
  const url = new URL(consoleUrl);
  const base = url.pathname.replace(/\/+$/, '').replace(/\/console$/, '');
  // Query and fragment belong to whatever page the user copied, not to the group's page.
  return `${url.origin}${base}/console/groups/{groupKey}`;
}
