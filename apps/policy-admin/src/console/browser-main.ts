/*
 * The console's browser code. It is served as the source of `browserMain` (see console-app.ts),
 * so it must be self-contained: no imports at run time, no references outside the function,
 * and only syntax every current browser runs (the build targets ES2022). Types come from the
 * small DOM subset below, which keeps the workspace free of the DOM library.
 */

interface Ev {
  preventDefault(): void;
}

interface El {
  id: string;
  className: string;
  textContent: string | null;
  hidden: boolean;
  value: string;
  checked: boolean;
  disabled: boolean;
  type: string;
  append(...nodes: (El | string)[]): void;
  replaceChildren(...nodes: (El | string)[]): void;
  setAttribute(name: string, value: string): void;
  addEventListener(type: string, listener: (event: Ev) => void): void;
  querySelector(selector: string): El | null;
  focus(): void;
}

interface Doc {
  title: string;
  createElement(tag: string): El;
  getElementById(id: string): El | null;
}

interface BrowserGlobals {
  document: Doc;
  location: { hash: string; pathname: string };
  addEventListener(type: string, listener: () => void): void;
}

type Json = Record<string, unknown>;

export function browserMain(): void {
  const g = globalThis as unknown as BrowserGlobals;
  const doc = g.document;
  const TIERS = ['critical', 'high', 'medium', 'low'] as const;

  const state: { user?: { username: string; roles: string[] }; csrf?: string } = {};

  // A ticket group's page is /console/groups/<URL-encoded key>: tickets link to it.
  const GROUP_PATH = '/console/groups/';
  const groupKey = ((): string | undefined => {
    const path = g.location.pathname;
    if (!path.startsWith(GROUP_PATH)) return undefined;
    try {
      return decodeURIComponent(path.slice(GROUP_PATH.length)) || undefined;
    } catch {
      // A malformed escape is no key; the console opens as usual.
      return undefined;
    }
  })();
  const HOME = groupKey !== undefined ? '#/group' : '#/tiers';
  function groupHref(key: string): string {
    return `${GROUP_PATH}${encodeURIComponent(key)}`;
  }

  // --- DOM helpers: text goes in as text, never as HTML ------------------------------------
  type Child = El | string | null | undefined | false;
  function h(tag: string, attrs: Record<string, string | boolean> = {}, ...children: Child[]): El {
    const el = doc.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === false) continue;
      el.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children)
      if (child !== null && child !== undefined && child !== false) el.append(child);
    return el;
  }
  let uid = 0;
  function field(label: string, control: El, hint?: string): El {
    uid += 1;
    const id = `f${uid}`;
    control.id = id;
    const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), control);
    if (hint !== undefined) {
      control.setAttribute('aria-describedby', `${id}-hint`);
      wrap.append(h('p', { class: 'hint', id: `${id}-hint` }, hint));
    }
    return wrap;
  }
  function select(name: string, options: readonly string[], selected?: string): El {
    const el = h('select', { name });
    for (const option of options)
      el.append(
        h('option', { value: option, ...(option === selected ? { selected: true } : {}) }, option),
      );
    return el;
  }
  function input(name: string, attrs: Record<string, string | boolean> = {}): El {
    return h('input', { name, type: 'text', ...attrs });
  }
  function table(
    caption: string,
    headers: readonly string[],
    rows: readonly (readonly Child[])[],
  ): El {
    const head = h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)));
    const body = h('tbody');
    if (rows.length === 0)
      body.append(h('tr', {}, h('td', { colspan: String(headers.length) }, 'Nothing to show.')));
    for (const row of rows) body.append(h('tr', {}, ...row.map((cell) => h('td', {}, cell))));
    return h('table', {}, h('caption', {}, caption), h('thead', {}, head), body);
  }
  /** States as words (and a class for colour): readable without colour. */
  function badge(text: string, kind: string): El {
    return h('span', { class: `badge badge-${kind}` }, text);
  }
  function when(iso: unknown): string {
    return typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
  }

  const status = doc.getElementById('status')!;
  function say(text: string, kind: 'ok' | 'error' = 'ok'): void {
    status.className = kind === 'error' ? 'status status-error' : 'status status-ok';
    status.textContent = `${kind === 'error' ? 'Error: ' : 'Done: '}${text}`;
  }

  // --- API ------------------------------------------------------------------------------
  async function api(method: string, path: string, body?: unknown): Promise<Json> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && state.csrf !== undefined) headers['x-csrf-token'] = state.csrf;
    const response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const parsed = (text.length > 0 ? JSON.parse(text) : {}) as Json;
    if (response.status === 401 && path !== '/v1/auth/login') {
      state.user = undefined;
      g.location.hash = '#/login';
    }
    if (!response.ok) throw new Error(String(parsed['detail'] ?? `HTTP ${response.status}`));
    return parsed;
  }
  function has(role: string): boolean {
    return state.user?.roles.includes(role) ?? false;
  }
  function guarded(action: () => Promise<string>, after?: () => void): (event: Ev) => void {
    return (event: Ev) => {
      event.preventDefault();
      action()
        .then((message) => {
          say(message);
          after?.();
        })
        .catch((error: unknown) =>
          say(error instanceof Error ? error.message : String(error), 'error'),
        );
    };
  }

  // --- Views ----------------------------------------------------------------------------
  const main = doc.getElementById('main')!;
  const nav = doc.getElementById('nav')!;
  const who = doc.getElementById('who')!;

  function page(title: string, ...content: Child[]): void {
    doc.title = `${title} — hum policy console`;
    const heading = h('h1', { tabindex: '-1' }, title);
    main.replaceChildren(
      heading,
      ...content.filter((c): c is El | string => c !== null && c !== undefined && c !== false),
    );
    heading.focus();
  }

  function loginView(): void {
    const username = input('username', { autocomplete: 'username', required: true });
    const password = input('password', {
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    });
    const form = h(
      'form',
      { 'aria-label': 'Log in' },
      field('User name', username),
      field('Password', password),
      h('button', { type: 'submit' }, 'Log in'),
    );
    form.addEventListener(
      'submit',
      guarded(async () => {
        const answer = await api('POST', '/v1/auth/login', {
          username: username.value,
          password: password.value,
        });
        state.user = { username: String(answer['username']), roles: answer['roles'] as string[] };
        state.csrf = String(answer['csrfToken']);
        renderChrome();
        go(HOME);
        return `logged in as ${state.user.username}`;
      }),
    );
    page('Log in', form);
  }

  function budgetsText(budgets: Json): string {
    // An unset perTeamInFlight is the tier's maxInFlight (the contract's teamInFlightBudget,
    // repeated here because this code runs alone in the browser): show the value in force.
    const teamInFlight =
      budgets['perTeamInFlight'] === undefined
        ? `${String(budgets['maxInFlight'])} / team in flight (default)`
        : `${String(budgets['perTeamInFlight'])} / team in flight`;
    return `${String(budgets['patchesPerHour'])} / h, ${String(budgets['maxInFlight'])} in flight, ${String(budgets['perTeamPerHour'])} / team / h, ${teamInFlight}`;
  }

  async function tiersView(): Promise<void> {
    const policy = await api('GET', '/v1/policy');
    const tiers = policy['tiers'] as Record<string, Json>;
    const global = policy['global'] as Json;
    const rows = TIERS.map((tier) => {
      const t = tiers[tier]!;
      const budgets = t['budgets'] as Json;
      const resume =
        t['paused'] === true && has('operator')
          ? (() => {
              const button = h('button', { type: 'button' }, `Resume ${tier}`);
              button.addEventListener(
                'click',
                guarded(async () => {
                  await api('POST', `/v1/policy/tiers/${tier}/resume`, {});
                  return `${tier} resumed`;
                }, route),
              );
              return button;
            })()
          : null;
      return [
        tier,
        badge(String(t['mode']).toUpperCase(), String(t['mode'])),
        t['paused'] === true ? badge('PAUSED', 'paused') : 'running',
        budgetsText(budgets),
        String(t['slaDays']),
        `v${String(t['version'])}`,
        (t['decidedBy'] as string[]).join(', ') || 'defaults',
        resume,
      ];
    });
    const kill = global['killSwitch'] === true;
    const content: Child[] = [
      h(
        'p',
        { id: 'kill-switch' },
        'Kill switch: ',
        badge(kill ? 'ENGAGED — no automation anywhere' : 'RELEASED', kill ? 'off' : 'on'),
        ` (global v${String(global['version'])})`,
      ),
      table(
        'Tiers in force',
        ['Tier', 'Mode', 'Paused', 'Budgets', 'SLA days', 'Version', 'Decided by', 'Action'],
        rows,
      ),
    ];
    if (has('admin')) content.push(proposeForm(kill));
    page('Tiers', ...content);
  }

  function proposeForm(killEngaged: boolean): El {
    const tier = select('tier', TIERS);
    const mode = select('mode', ['', 'off', 'dry-run', 'on']);
    const perHour = input('patchesPerHour', { inputmode: 'numeric' });
    const inFlight = input('maxInFlight', { inputmode: 'numeric' });
    const perTeam = input('perTeamPerHour', { inputmode: 'numeric' });
    const perTeamInFlight = input('perTeamInFlight', { inputmode: 'numeric' });
    const reason = input('reason', { required: true });
    const form = h(
      'form',
      { 'aria-labelledby': 'propose-heading' },
      h('h2', { id: 'propose-heading' }, 'Propose a tier change'),
      h(
        'p',
        { class: 'hint' },
        'Lowering applies at once. Raising low needs only you. Raising any other tier waits for a second person with the approver role.',
      ),
      field('Tier', tier),
      field('Mode', mode, 'Leave empty to keep the mode.'),
      field('Patches per hour', perHour, 'Leave empty to keep.'),
      field('Patches in flight', inFlight, 'Leave empty to keep.'),
      field('Patches per team per hour', perTeam, 'Leave empty to keep.'),
      field(
        'Patches per team in flight',
        perTeamInFlight,
        'Leave empty to keep. Never set, it is the tier’s patches in flight.',
      ),
      field('Reason', reason),
      h('button', { type: 'submit' }, 'Propose'),
    );
    form.addEventListener(
      'submit',
      guarded(async () => {
        const budgets: Record<string, number> = {};
        for (const [name, el] of [
          ['patchesPerHour', perHour],
          ['maxInFlight', inFlight],
          ['perTeamPerHour', perTeam],
          ['perTeamInFlight', perTeamInFlight],
        ] as const)
          if (el.value.trim() !== '') budgets[name] = Number(el.value);
        const change: Json = { kind: 'tier', tier: tier.value };
        if (mode.value !== '') change['mode'] = mode.value;
        if (Object.keys(budgets).length > 0) change['budgets'] = budgets;
        const answer = await api('POST', '/v1/proposals', { change, reason: reason.value });
        const proposal = answer['proposal'] as Json;
        return proposal['state'] === 'applied'
          ? `applied at once (version ${String(proposal['resultVersion'])})`
          : `proposal ${String(proposal['id'])} waits for a second person`;
      }, route),
    );
    const killButton = h(
      'button',
      { type: 'button', class: killEngaged ? '' : 'danger' },
      killEngaged ? 'Propose releasing the kill switch' : 'Engage the kill switch',
    );
    killButton.addEventListener(
      'click',
      guarded(async () => {
        const answer = await api('POST', '/v1/proposals', {
          change: { kind: 'global', killSwitch: !killEngaged },
          reason: killEngaged ? 'release the kill switch' : 'stop all automation now',
        });
        return (answer['proposal'] as Json)['state'] === 'applied'
          ? 'kill switch engaged'
          : 'release waits for a second person';
      }, route),
    );
    return h('section', {}, form, h('h2', {}, 'Kill switch'), killButton);
  }

  async function proposalsView(): Promise<void> {
    const [pending, recent] = await Promise.all([
      api('GET', '/v1/proposals?state=pending'),
      api('GET', '/v1/proposals?limit=30'),
    ]);
    const cards = (pending['proposals'] as Json[]).map((p) => {
      const note = input('note');
      const actions = h('div', { class: 'actions' });
      if (has('approver') && p['proposedBy'] !== state.user?.username) {
        const approve = h('button', { type: 'button' }, `Approve ${String(p['id'])}`);
        approve.addEventListener(
          'click',
          guarded(async () => {
            const answer = await api(
              'POST',
              `/v1/proposals/${String(p['id'])}/approve`,
              note.value ? { note: note.value } : {},
            );
            return `approved; ${String((answer['proposal'] as Json)['target'])} is now version ${String((answer['proposal'] as Json)['resultVersion'])}`;
          }, route),
        );
        actions.append(approve);
      }
      if (has('approver') || p['proposedBy'] === state.user?.username) {
        const reject = h(
          'button',
          { type: 'button', class: 'secondary' },
          p['proposedBy'] === state.user?.username
            ? `Withdraw ${String(p['id'])}`
            : `Reject ${String(p['id'])}`,
        );
        reject.addEventListener(
          'click',
          guarded(async () => {
            await api(
              'POST',
              `/v1/proposals/${String(p['id'])}/reject`,
              note.value ? { note: note.value } : {},
            );
            return 'proposal ended';
          }, route),
        );
        actions.append(reject);
      }
      return h(
        'article',
        { class: 'card', 'aria-label': `Proposal ${String(p['id'])}` },
        h('h2', {}, `${String(p['target'])}: ${String(p['rationale'])}`),
        h(
          'p',
          {},
          `Proposed by ${String(p['proposedBy'])} at ${when(p['proposedAt'])}; expires ${when(p['expiresAt'])}.`,
        ),
        h('p', {}, `Reason: ${String(p['reason'])}`),
        field('Note (optional)', note),
        actions,
      );
    });
    const rows = (recent['proposals'] as Json[]).map((p) => [
      String(p['id']),
      String(p['target']),
      badge(String(p['state']).toUpperCase(), String(p['state'])),
      String(p['proposedBy']),
      String(p['decidedBy'] ?? ''),
      when(p['proposedAt']),
    ]);
    page(
      'Proposals',
      h(
        'section',
        { 'aria-label': 'Pending proposals' },
        ...(cards.length > 0 ? cards : [h('p', {}, 'No proposal is waiting.')]),
      ),
      table(
        'Recent proposals',
        ['Id', 'Target', 'State', 'Proposed by', 'Decided by', 'Proposed at'],
        rows,
      ),
    );
  }

  async function auditView(filter: Record<string, string> = {}): Promise<void> {
    const chain = input('chain', { value: filter['chain'] ?? '' });
    const action = input('action', { value: filter['action'] ?? '' });
    const actor = input('actor', { value: filter['actor'] ?? '' });
    const outcome = select('outcome', ['', 'success', 'denied', 'failed'], filter['outcome'] ?? '');
    const form = h(
      'form',
      { 'aria-label': 'Filter the audit log', class: 'inline' },
      field('Chain', chain),
      field('Action (or prefix)', action),
      field('Actor', actor),
      field('Outcome', outcome),
      h('button', { type: 'submit' }, 'Filter'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const next = {
        chain: chain.value,
        action: action.value,
        actor: actor.value,
        outcome: outcome.value,
      };
      void auditView(next).catch((error: unknown) => say(String(error), 'error'));
    });
    const query = Object.entries(filter)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `&${k}=${encodeURIComponent(v)}`)
      .join('');
    const verify = h('button', { type: 'button' }, 'Verify the policy-admin chain');
    const verdict = h('p', { id: 'verify-result', role: 'status' });
    verify.addEventListener(
      'click',
      guarded(async () => {
        const result = await api(
          'GET',
          `/v1/audit/verify?chain=${encodeURIComponent(chain.value || 'policy-admin')}`,
        );
        verdict.textContent =
          result['ok'] === true
            ? `Chain intact: ${String(result['checked'])} entries verified.`
            : `Chain BROKEN at entry ${String(result['brokenAt'])}: ${String(result['reason'])}.`;
        return 'chain verified';
      }),
    );
    const entries = (await api('GET', `/v1/audit?limit=100${query ? `&${query}` : ''}`))[
      'entries'
    ] as Json[];
    const rows = entries.map((e) => [
      when(e['at']),
      `${String(e['chain'])} #${String(e['seq'])}`,
      String((e['actor'] as Json)['id']),
      String(e['action']),
      `${String((e['entity'] as Json)['type'])} ${String((e['entity'] as Json)['id'])}`,
      badge(String(e['outcome']).toUpperCase(), String(e['outcome'])),
    ]);
    page(
      'Audit log',
      form,
      verify,
      verdict,
      table(
        'Audit entries, newest first',
        ['At', 'Entry', 'Actor', 'Action', 'Entity', 'Outcome'],
        rows,
      ),
    );
  }

  async function activityView(): Promise<void> {
    const [summary, findings, tickets, patches, dlq] = await Promise.all([
      api('GET', '/v1/activity/summary'),
      api('GET', '/v1/activity/findings?limit=20'),
      api('GET', '/v1/activity/tickets?limit=20'),
      api('GET', '/v1/activity/patches?limit=20'),
      api('GET', '/v1/dlq'),
    ]);
    const open = summary['openFindingsByTier'] as Record<string, number>;
    page(
      'Activity',
      h(
        'p',
        {},
        `Open findings: ${['critical', 'high', 'medium', 'low', 'info'].map((t) => `${t} ${open[t] ?? 0}`).join(', ')}.`,
      ),
      table(
        'Recent findings',
        ['Title', 'Asset', 'Team', 'Tier', 'State', 'Classified'],
        (findings['findings'] as Json[]).map((f) => [
          String(f['title']),
          String(f['assetId']),
          String(f['team'] ?? ''),
          String(f['tier']),
          String(f['state']),
          when(f['classifiedAt']),
        ]),
      ),
      table(
        'Recent tickets',
        ['Ticket', 'Group', 'Action', 'Findings', 'At'],
        (tickets['tickets'] as Json[]).map((t) => [
          String(t['ticketKey']),
          h('a', { href: groupHref(String(t['groupKey'])) }, String(t['groupKey'])),
          String(t['action']),
          String(t['fingerprints']),
          when(t['at']),
        ]),
      ),
      table(
        'Recent patches',
        ['Title', 'Team', 'Tier', 'Status', 'Reasons', 'At'],
        (patches['patches'] as Json[]).map((p) => [
          String(p['title']),
          String(p['team'] ?? ''),
          String(p['tier']),
          badge(String(p['status']).toUpperCase(), String(p['status'])),
          (p['reasons'] as string[]).join(', '),
          when(p['decidedAt']),
        ]),
      ),
      table(
        'Dead-letter queues',
        ['Topic', 'Not replayed', 'Retained'],
        (dlq['topics'] as Json[]).map((d) => [
          String(d['topic']),
          String(d['pending']),
          String(d['retained']),
        ]),
      ),
    );
  }

  async function groupView(key: string): Promise<void> {
    let group: Json;
    try {
      group = await api('GET', `/v1/activity/groups/${encodeURIComponent(key)}?limit=1000`);
    } catch (error) {
      page('Ticket group', h('p', {}, `Group ${key}: ${String((error as Error).message)}.`));
      return;
    }
    const link = (url: unknown, text: string): Child =>
      typeof url === 'string' && /^https?:\/\//.test(url) ? h('a', { href: url }, text) : text;
    const findings = group['findings'] as Json[];
    const count = Number(group['findingCount']);
    const open = findings.filter((f) => f['state'] === 'open').length;
    page(
      'Ticket group',
      h('p', { id: 'group-key' }, `Group key: ${key}`),
      h(
        'p',
        {},
        `${count} finding${count === 1 ? '' : 's'} (${open} open${findings.length < count ? `; the first ${findings.length} shown` : ''}).`,
      ),
      table(
        'Tickets',
        ['Ticket', 'Provider', 'Last action', 'Events', 'First seen', 'Last change'],
        (group['tickets'] as Json[]).map((t) => [
          link(t['url'], String(t['ticketKey'])),
          String(t['provider']),
          String(t['lastAction']),
          String(t['events']),
          when(t['firstAt']),
          when(t['lastAt']),
        ]),
      ),
      table(
        'Findings',
        ['Title', 'Asset', 'Team', 'Tier', 'KEV', 'State', 'In the ticket', 'Fingerprint'],
        findings.map((f) => [
          String(f['title']),
          String(f['assetId']),
          String(f['team'] ?? ''),
          badge(String(f['tier']).toUpperCase(), String(f['tier'])),
          f['kev'] === true ? 'in KEV' : f['kev'] === false ? 'no' : 'unknown',
          String(f['state']).toUpperCase(),
          f['inTicket'] === true ? 'listed' : 'by group key',
          String(f['fingerprint']),
        ]),
      ),
      table(
        'Active risk acceptances',
        ['Id', 'Owner', 'Accepted tier', 'Expires', 'Reason'],
        (group['acceptances'] as Json[]).map((a) => [
          String(a['id']),
          String(a['owner']),
          String(a['acceptedTier']),
          when(a['expiresAt']),
          String(a['reason']),
        ]),
      ),
      table(
        'Recent ticket events',
        ['At', 'Ticket', 'Action', 'Findings', 'Detail'],
        (group['events'] as Json[]).map((e) => [
          when(e['at']),
          String(e['ticketKey']),
          String(e['action']),
          String(e['fingerprints']),
          String(e['detail'] ?? ''),
        ]),
      ),
    );
  }

  function whatIfView(): void {
    const tier = select('tier', TIERS);
    const mode = select('mode', ['on', 'dry-run', 'off']);
    const days = input('days', { inputmode: 'numeric', value: '7' });
    const result = h('div', { id: 'what-if-result', 'aria-live': 'polite' });
    const form = h(
      'form',
      { 'aria-label': 'What if' },
      field('Tier', tier),
      field('Mode', mode),
      field('Days to replay', days),
      h('button', { type: 'submit' }, 'Replay'),
    );
    form.addEventListener(
      'submit',
      guarded(async () => {
        const answer = await api('POST', '/v1/what-if', {
          change: { kind: 'tier', tier: tier.value, mode: mode.value },
          days: Number(days.value),
        });
        const proposed = answer['proposed'] as Json;
        const current = answer['current'] as Json;
        const teams = Object.entries(proposed['byTeam'] as Record<string, Json>);
        const bound = Object.entries(proposed['budgetsBound'] as Record<string, number>);
        result.replaceChildren(
          h(
            'p',
            {},
            `${String(answer['findings'])} findings over ${String(answer['days'])} days: ${String((proposed['total'] as Json)['apply'])} patches would have been applied and ${String((proposed['total'] as Json)['plan'])} planned (in force now: ${String((current['total'] as Json)['apply'])} applied).`,
          ),
          table(
            'Per team',
            ['Team', 'Applied', 'Planned', 'Skipped'],
            teams.map(([team, t]) => [
              team,
              String(t['apply']),
              String(t['plan']),
              String(t['skip']),
            ]),
          ),
          table(
            'Budgets that would have bound',
            ['Budget', 'Patches refused'],
            bound.map(([name, n]) => [name, String(n)]),
          ),
        );
        return 'replayed';
      }),
    );
    page(
      'What if',
      h(
        'p',
        {},
        'Replays the stored classified findings through the auto-patcher’s own decision code.',
      ),
      form,
      result,
    );
  }

  async function keysView(): Promise<void> {
    const keys = (await api('GET', '/v1/api-keys'))['keys'] as Json[];
    const rows = keys.map((k) => {
      let action: El | null = null;
      if (has('admin') && k['status'] === 'active') {
        action = h('button', { type: 'button', class: 'secondary' }, `Revoke ${String(k['name'])}`);
        action.addEventListener(
          'click',
          guarded(async () => {
            await api('POST', `/v1/api-keys/${String(k['id'])}/revoke`, {});
            return `key ${String(k['name'])} revoked`;
          }, route),
        );
      }
      return [
        String(k['name']),
        String(k['id']),
        badge(String(k['status']).toUpperCase(), String(k['status'])),
        (k['assets'] as string[]).join(', '),
        (k['teams'] as string[]).join(', ') || 'any',
        when(k['lastUsedAt']) || 'never',
        action,
      ];
    });
    const content: Child[] = [
      table(
        'Pipeline API keys',
        ['Name', 'Id', 'Status', 'Assets', 'Teams', 'Last used', 'Action'],
        rows,
      ),
    ];
    if (has('admin')) {
      const name = input('name', { required: true });
      const assets = input('assets', { required: true });
      const teams = input('teams');
      const token = h('output', { id: 'new-token', 'aria-live': 'polite' });
      const form = h(
        'form',
        { 'aria-labelledby': 'new-key' },
        h('h2', { id: 'new-key' }, 'Create a key'),
        field('Name', name),
        field('Asset globs', assets, 'Comma separated, e.g. payments-*'),
        field('Teams', teams, 'Comma separated; empty for any team'),
        h('button', { type: 'submit' }, 'Create'),
        token,
      );
      form.addEventListener(
        'submit',
        guarded(async () => {
          const list = (text: string): string[] =>
            text
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== '');
          const answer = await api('POST', '/v1/api-keys', {
            name: name.value,
            permissions: ['scans:publish'],
            assets: list(assets.value),
            teams: list(teams.value),
          });
          token.textContent = `Token (shown once, copy it now): ${String(answer['token'])}`;
          return 'key created';
        }),
      );
      content.push(form);
    }
    page('API keys', ...content);
  }

  // --- Chrome and routing ---------------------------------------------------------------
  const ROUTES: Record<string, { label: string; view: () => void | Promise<void> }> = {
    '#/tiers': { label: 'Tiers', view: tiersView },
    '#/proposals': { label: 'Proposals', view: proposalsView },
    '#/audit': { label: 'Audit log', view: () => auditView() },
    '#/activity': { label: 'Activity', view: activityView },
    '#/what-if': { label: 'What if', view: whatIfView },
    '#/keys': { label: 'API keys', view: keysView },
  };

  function renderChrome(): void {
    if (state.user === undefined) {
      nav.replaceChildren();
      who.replaceChildren();
      return;
    }
    const list = h('ul');
    for (const [hash, r] of Object.entries(ROUTES)) {
      const link = h('a', { href: hash }, r.label);
      if (g.location.hash === hash) link.setAttribute('aria-current', 'page');
      list.append(h('li', {}, link));
    }
    nav.replaceChildren(list);
    const logout = h('button', { type: 'button', class: 'secondary' }, 'Log out');
    logout.addEventListener(
      'click',
      guarded(async () => {
        await api('POST', '/v1/auth/logout', {});
        state.user = undefined;
        state.csrf = undefined;
        renderChrome();
        go('#/login');
        return 'logged out';
      }),
    );
    who.replaceChildren(`${state.user.username} (${state.user.roles.join(', ')}) `, logout);
  }

  /** Shows `hash`'s view, also when the address already holds it (no hashchange then). */
  function go(hash: string): void {
    if (g.location.hash === hash) route();
    else g.location.hash = hash;
  }

  function route(): void {
    const hash = g.location.hash;
    if (state.user === undefined || hash === '#/login' || hash === '') {
      if (state.user !== undefined) {
        go(HOME);
        return;
      }
      loginView();
      return;
    }
    renderChrome();
    const view =
      hash === '#/group' && groupKey !== undefined
        ? () => groupView(groupKey)
        : (ROUTES[hash] ?? ROUTES['#/tiers']!).view;
    Promise.resolve(view()).catch((error: unknown) =>
      say(error instanceof Error ? error.message : String(error), 'error'),
    );
  }

  g.addEventListener('hashchange', route);
  api('GET', '/v1/auth/session')
    .then((session) => {
      state.user = { username: String(session['username']), roles: session['roles'] as string[] };
      if (typeof session['csrfToken'] === 'string') state.csrf = session['csrfToken'];
    })
    .catch(() => undefined)
    .finally(route);
}
