import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import {
  type AuditEntryV1,
  type PolicyStateV1,
  type TicketEventV1,
  ticketGroupKey,
  TOPICS,
} from '@hum/contracts';
import { EventProducer, provisionTopics } from '@hum/kafka';
import {
  buildWorkspace,
  createTestDatabase,
  uniqueTopicPrefix,
  waitFor,
  WORKSPACE_ROOT,
  type TestDatabase,
  type WorkspaceBuild,
} from '@hum/testing';
import { classified } from './fixtures';
import {
  type AdminUnderTest,
  Api,
  logger,
  loginToken,
  readUntil,
  specKafka,
  startAdmin,
  TopicNames,
} from './support';

/** Debian's chromium; install with `apt-get install -y chromium`. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(WORKSPACE_ROOT, 'test-artifacts');

describe('the web console in a real headless Chromium', () => {
  let build: WorkspaceBuild;
  let database: TestDatabase;
  let topics: TopicNames;
  let admin: AdminUnderTest;
  let browser: Browser;

  beforeAll(async () => {
    build = buildWorkspace('policy-console');
    database = await createTestDatabase('policy_console');
    topics = new TopicNames(uniqueTopicPrefix('policy-console'));
    admin = await startAdmin({
      build,
      database,
      topics,
      users: 'alice:admin+operator,bob:approver',
      // Every test logs people in afresh; the login limiter has its own spec.
      env: { ADMIN_LOGIN_RATE_PER_MINUTE: '100' },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    const exit = await admin?.process.stop();
    await database?.cleanup();
    build?.remove();
    expect(exit?.code).toBe(0);
  });

  /** Logs in with the keyboard only: label-found fields, Tab, Enter. */
  async function logIn(
    context: BrowserContext,
    user: string,
    at: { path: string; lands: string } = { path: '/', lands: 'Tiers' },
  ): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${admin.url}${at.path}`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('User name').focus();
    await page.keyboard.type(user);
    await page.keyboard.press('Tab');
    await page.keyboard.type(admin.passwords.get(user)!);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: at.lands, level: 1 }).waitFor();
    await page.getByText(`Done: logged in as ${user}`).waitFor();
    return page;
  }

  it('logs in, proposes, is approved by a second person, shows the tier change and its audit entry', async () => {
    const alice = await logIn(await browser.newContext(), 'alice');
    // The session cookie is http-only and SameSite=strict: the page's script cannot read it.
    const cookies = await alice.context().cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'hum_session', httpOnly: true, sameSite: 'Strict' }),
    ]);
    expect(
      await alice.evaluate(
        () => (globalThis as unknown as { document: { cookie: string } }).document.cookie,
      ),
    ).toBe('');

    // Every tier starts OFF, written out in words; no tier has its own per-team in-flight
    // budget yet, so the one in force is the tier's in-flight budget, marked as the default.
    const highRow = alice.getByRole('row', { name: /^high/ });
    await expect(highRow.getByText('OFF', { exact: true }).isVisible()).resolves.toBe(true);
    await highRow
      .getByText('10 / h, 3 in flight, 3 / team / h, 3 / team in flight (default)', {
        exact: true,
      })
      .waitFor();

    await alice.getByLabel('Tier', { exact: true }).selectOption('high');
    await alice.getByLabel('Mode', { exact: true }).selectOption('on');
    await alice.getByLabel('Patches in flight', { exact: true }).fill('5');
    await alice.getByLabel('Patches per team in flight').fill('4');
    await alice.getByLabel('Reason').fill('automate high for the payments backlog');
    await alice.getByRole('button', { name: 'Propose' }).click();
    const waiting = alice.getByText(/Done: proposal prp-[0-9a-f-]+ waits for a second person/);
    await waiting.waitFor();
    const proposalId = /prp-[0-9a-f-]+/.exec((await waiting.textContent()) ?? '')![0];
    // alice cannot approve her own proposal: the console offers her only a withdrawal.
    await alice.getByRole('link', { name: 'Proposals' }).click();
    await alice.getByRole('heading', { name: 'Proposals', level: 1 }).waitFor();
    expect(await alice.getByRole('button', { name: `Approve ${proposalId}` }).count()).toBe(0);
    await alice.getByRole('button', { name: `Withdraw ${proposalId}` }).waitFor();

    const bob = await logIn(await browser.newContext(), 'bob');
    // Keyboard: the focus lands on each view's heading, and focus is visible.
    await bob.getByRole('link', { name: 'Proposals' }).focus();
    const outline = await bob.evaluate(() => {
      const g = globalThis as unknown as {
        document: { activeElement: unknown };
        getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string };
      };
      const style = g.getComputedStyle(g.document.activeElement);
      return `${style.outlineStyle} ${style.outlineWidth}`;
    });
    expect(outline).toBe('solid 3px');
    await bob.keyboard.press('Enter');
    await bob.getByRole('heading', { name: 'Proposals', level: 1 }).waitFor();
    expect(
      await bob.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { tagName: string } } }).document
            .activeElement.tagName,
      ),
    ).toBe('H1');
    const card = bob.getByRole('article', { name: `Proposal ${proposalId}` });
    // The per-team raise is measured from the default in force (the tier's 3), not from unset.
    await card
      .getByText(
        'tier:high: raises tier:high (mode off -> on, budgets.maxInFlight 3 -> 5, budgets.perTeamInFlight 3 -> 4): needs a second person with the approver role',
      )
      .waitFor();
    await card.getByLabel('Note (optional)').fill('budgets checked');
    await card.getByRole('button', { name: `Approve ${proposalId}` }).press('Enter');
    await bob.getByText(/Done: approved; tier:high is now version 1/).waitFor();

    // The change is in force: alice sees high ON after a reload, and on policy.state.
    await alice.getByRole('link', { name: 'Tiers' }).click();
    await alice.getByRole('row', { name: /^high/ }).getByText('ON', { exact: true }).waitFor();
    await alice.getByRole('row', { name: /^high/ }).getByText('alice, bob').waitFor();
    await alice
      .getByRole('row', { name: /^high/ })
      .getByText('10 / h, 5 in flight, 3 / team / h, 4 / team in flight', { exact: true })
      .waitFor();
    const records = await readUntil<PolicyStateV1>(
      topics.of(TOPICS.policyState),
      (all) => all.length > 0,
    );
    expect(records[0]).toMatchObject({
      key: 'tier:high',
      value: {
        mode: 'on',
        budgets: { maxInFlight: 5, perTeamInFlight: 4 },
        decidedBy: ['alice', 'bob'],
      },
    });

    // And the audit log shows the approval by bob; the chain verifies.
    await alice.getByRole('link', { name: 'Audit log' }).click();
    await alice.getByLabel('Action (or prefix)').fill('policy.proposal');
    await alice.getByRole('button', { name: 'Filter' }).click();
    const approvedRow = alice.getByRole('row', { name: /bob policy\.proposal\.approved/ });
    await approvedRow.waitFor();
    expect(await approvedRow.textContent()).toContain('SUCCESS');
    await alice.getByRole('button', { name: 'Verify the policy-admin chain' }).click();
    await alice.getByText(/Chain intact: \d+ entries verified\./).waitFor();
    await alice.screenshot({
      path: path.join(ARTIFACTS, 'policy-console-audit.png'),
      fullPage: true,
    });
    await alice.getByRole('link', { name: 'Tiers' }).click();
    await alice.getByRole('row', { name: /^high/ }).waitFor();
    await alice.screenshot({
      path: path.join(ARTIFACTS, 'policy-console-tiers.png'),
      fullPage: true,
    });
  });

  it('shows a refusal in words and keeps the session on a reload', async () => {
    const alice = await logIn(await browser.newContext(), 'alice');
    await alice.reload();
    await alice.getByRole('heading', { name: 'Tiers', level: 1 }).waitFor();
    await alice.getByLabel('Tier', { exact: true }).selectOption('low');
    await alice.getByLabel('Patches per hour').fill('-3');
    await alice.getByLabel('Reason').fill('negative budget');
    await alice.getByRole('button', { name: 'Propose' }).click();
    await alice.getByText(/Error: \/change\/budgets\/patchesPerHour: Too small/).waitFor();
    // A team's in-flight budget above its tier's is refused in words, and nothing applies.
    await alice.getByLabel('Patches per hour').fill('');
    await alice.getByLabel('Patches per team in flight').fill('9');
    await alice.getByRole('button', { name: 'Propose' }).click();
    await alice
      .getByText('Error: budgets.perTeamInFlight (9) cannot exceed budgets.maxInFlight (3)')
      .waitFor();
    const viewer = new Api(admin.url).withToken(await loginToken(admin, 'bob'));
    const policy = await viewer.get<{ tiers: Record<string, { budgets: object }> }>('/v1/policy');
    expect(policy.body.tiers['low']!.budgets).toEqual({
      patchesPerHour: 10,
      maxInFlight: 3,
      perTeamPerHour: 3,
    });
    // What-if over an empty read model answers, with zero findings.
    await alice.getByRole('link', { name: 'What if' }).click();
    await alice.getByRole('button', { name: 'Replay' }).click();
    await alice.getByText(/0 findings over 7 days: 0 patches would have been applied/).waitFor();
  });
  it('shows the read model and replays real findings in the what-if view', async () => {
    const kafka = specKafka();
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await provisionTopics(kafkaAdmin, topics, [TOPICS.findingsClassified], {
      replicationFactor: 1,
      withDeadLetters: true,
    });
    await kafkaAdmin.disconnect();
    const producer = new EventProducer(kafka, { names: topics, source: '/hum/spec', logger });
    await producer.connect();
    const raw = kafka.producer();
    await raw.connect();
    try {
      // Five medium findings of cards a second apart, then one of ledger, an hour ago.
      const start = Date.now() - 3_600_000;
      const findings = ['cards', 'cards', 'cards', 'cards', 'cards', 'ledger'].map((team, i) =>
        classified({
          label: `console-${i}`,
          tier: 'medium',
          team,
          at: new Date(start + i * 1_000),
        }),
      );
      await producer.publish(
        findings.map((f) => ({
          topic: TOPICS.findingsClassified,
          key: f.finding.fingerprint,
          data: f,
        })),
      );
      // And one dead letter, as a consumer would have parked it.
      await raw.send({
        topic: topics.dlqOf(TOPICS.findingsClassified),
        messages: [{ key: 'bad', value: '{"not":"a finding"}' }],
      });
    } finally {
      await raw.disconnect();
      await producer.disconnect();
    }
    const viewer = new Api(admin.url).withToken(await loginToken(admin, 'bob'));
    await waitFor(
      async () =>
        (await viewer.get<{ findings: unknown[] }>('/v1/activity/findings')).body.findings
          .length === 6,
      { describe: 'the read model to hold the six findings' },
    );

    const alice = await logIn(await browser.newContext(), 'alice');
    await alice.getByRole('link', { name: 'Activity' }).click();
    await alice.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    await alice.getByText(/Open findings: critical 0, high 0, medium 6, low 0, info 0\./).waitFor();
    const recent = alice.getByRole('table', { name: 'Recent findings' });
    expect(
      await recent.getByRole('row', { name: /lodash prototype pollution \(console-\d\)/ }).count(),
    ).toBe(6);
    const dlq = alice
      .getByRole('table', { name: 'Dead-letter queues' })
      .getByRole('row', { name: /^findings\.classified / });
    expect((await dlq.getByRole('cell').allTextContents()).slice(1)).toEqual(['1', '1']);

    // What if medium were on: the decision code lets three through, then the budgets bind.
    await alice.getByRole('link', { name: 'What if' }).click();
    await alice.getByLabel('Tier', { exact: true }).selectOption('medium');
    await alice.getByLabel('Mode', { exact: true }).selectOption('on');
    await alice.getByLabel('Days to replay').fill('1');
    await alice.getByRole('button', { name: 'Replay' }).press('Enter');
    await alice
      .getByText(
        '6 findings over 1 days: 3 patches would have been applied and 0 planned (in force now: 0 applied).',
      )
      .waitFor();
    const perTeam = alice.getByRole('table', { name: 'Per team' });
    const cells = async (team: string) =>
      perTeam
        .getByRole('row', { name: new RegExp(`^${team} `) })
        .getByRole('cell')
        .allTextContents();
    expect(await cells('cards')).toEqual(['cards', '3', '0', '2']);
    expect(await cells('ledger')).toEqual(['ledger', '0', '0', '1']);
    const bound = alice.getByRole('table', { name: 'Budgets that would have bound' });
    // cards' 4th and 5th meet both its team's hourly budget and the tier's in-flight one;
    // ledger's only finding meets the in-flight one.
    expect(await bound.getByRole('row', { name: /^budget-/ }).allTextContents()).toEqual([
      'budget-tier-in-flight3',
      'budget-team-hourly2',
    ]);
    await alice.screenshot({
      path: path.join(ARTIFACTS, 'policy-console-what-if.png'),
      fullPage: true,
    });
    // Nothing changed by asking.
    const policy = await viewer.get<{ tiers: Record<string, { mode: string }> }>('/v1/policy');
    expect(policy.body.tiers['medium']!.mode).toBe('off');
  });

  it('rejects a proposal as a second person from the Proposals view, and the audit log shows it', async () => {
    const alice = await logIn(await browser.newContext(), 'alice');
    await alice.getByLabel('Tier', { exact: true }).selectOption('medium');
    await alice.getByLabel('Mode', { exact: true }).selectOption('dry-run');
    await alice.getByLabel('Reason').fill('try medium in dry-run');
    await alice.getByRole('button', { name: 'Propose' }).click();
    const waiting = alice.getByText(/Done: proposal prp-[0-9a-f-]+ waits for a second person/);
    await waiting.waitFor();
    const proposalId = /prp-[0-9a-f-]+/.exec((await waiting.textContent()) ?? '')![0];

    const bob = await logIn(await browser.newContext(), 'bob');
    await bob.getByRole('link', { name: 'Proposals' }).click();
    const card = bob.getByRole('article', { name: `Proposal ${proposalId}` });
    await card.getByLabel('Note (optional)').fill('not this quarter');
    await card.getByRole('button', { name: `Reject ${proposalId}` }).press('Enter');
    await bob.getByText('Done: proposal ended').waitFor();
    // The view is redrawn: nothing waits any more, and the proposal is REJECTED by bob.
    await bob.getByText('No proposal is waiting.').waitFor();
    const row = bob
      .getByRole('table', { name: 'Recent proposals' })
      .getByRole('row', { name: new RegExp(`^${proposalId} `) });
    expect((await row.getByRole('cell').allTextContents()).slice(0, 5)).toEqual([
      proposalId,
      'tier:medium',
      'REJECTED',
      'alice',
      'bob',
    ]);

    await bob.getByRole('link', { name: 'Audit log' }).click();
    await bob.getByLabel('Action (or prefix)').fill('policy.proposal.rejected');
    await bob.getByRole('button', { name: 'Filter' }).click();
    const rejected = bob.getByRole('row', { name: /bob policy\.proposal\.rejected/ });
    await rejected.waitFor();
    expect(await rejected.textContent()).toContain(`proposal ${proposalId}`);
    expect(await rejected.textContent()).toContain('SUCCESS');
    await bob.screenshot({
      path: path.join(ARTIFACTS, 'policy-console-rejected.png'),
      fullPage: true,
    });

    // The entry itself: who rejected whose proposal of what, with the note; nothing applied.
    const viewer = new Api(admin.url).withToken(await loginToken(admin, 'alice'));
    const entries = await viewer.get<{ entries: AuditEntryV1[] }>(
      `/v1/audit?action=policy.proposal&entity=${proposalId}`,
    );
    expect(entries.body.entries.map((e) => [e.action, e.actor.id, e.outcome])).toEqual([
      ['policy.proposal.rejected', 'bob', 'success'],
      ['policy.proposal.created', 'alice', 'success'],
    ]);
    expect(entries.body.entries[0]!.details).toEqual({
      key: 'tier:medium',
      proposedBy: 'alice',
      note: 'not this quarter',
    });
    const policy = await viewer.get<{ tiers: Record<string, { mode: string }> }>('/v1/policy');
    expect(policy.body.tiers['medium']!.mode).toBe('off');
  });

  it("shows a ticket group at /console/groups/<key>, where a ticket's detail link points, after login", async () => {
    const kafka = specKafka();
    const producer = new EventProducer(kafka, { names: topics, source: '/hum/spec', logger });
    await producer.connect();
    const asset = 'git.example.com/bank/cards-api';
    const now = new Date();
    const listed = classified({ label: 'group-1', tier: 'high', team: 'cards', asset, at: now });
    const other = classified({ label: 'group-2', tier: 'critical', team: 'cards', asset, at: now });
    const groupKey = ticketGroupKey('asset-vulnerability', listed.finding);
    const ticket: TicketEventV1 = {
      provider: 'jira-cloud',
      groupKey,
      ticketKey: 'SEC-9',
      url: 'https://bank.atlassian.net/browse/SEC-9',
      action: 'created',
      fingerprints: [listed.finding.fingerprint],
      at: now.toISOString(),
    };
    try {
      await producer.publish([
        ...[listed, other].map((f) => ({
          topic: TOPICS.findingsClassified,
          key: f.finding.fingerprint,
          data: f,
        })),
        { topic: TOPICS.ticketsEvents, key: groupKey, data: ticket },
      ]);
    } finally {
      await producer.disconnect();
    }
    const viewer = new Api(admin.url).withToken(await loginToken(admin, 'bob'));
    const groupApi = `/v1/activity/groups/${encodeURIComponent(groupKey)}`;
    await waitFor(
      async () => {
        const group = await viewer.get<{ tickets: unknown[]; findingCount: number }>(groupApi);
        return (
          group.status === 200 && group.body.tickets.length === 1 && group.body.findingCount === 2
        );
      },
      { describe: 'the group in the read model' },
    );

    // The link as the dispatcher writes it: <console base>/console/groups/{URL-encoded key}.
    const groupPath = `/console/groups/${encodeURIComponent(groupKey)}`;
    const page = await logIn(await browser.newContext(), 'alice', {
      path: groupPath,
      lands: 'Ticket group',
    });
    expect(new URL(page.url()).pathname).toBe(groupPath);
    await page.getByText(`Group key: ${groupKey}`).waitFor();
    await page.getByText('2 findings (2 open).').waitFor();
    const ticketLink = page
      .getByRole('table', { name: 'Tickets' })
      .getByRole('link', { name: 'SEC-9' });
    expect(await ticketLink.getAttribute('href')).toBe('https://bank.atlassian.net/browse/SEC-9');
    const findings = page.getByRole('table', { name: 'Findings' });
    const cells = async (label: string) =>
      findings
        .getByRole('row', { name: new RegExp(`\\(${label}\\)`) })
        .getByRole('cell')
        .allTextContents();
    // Highest tier first; the ticket listed one finding, the other belongs by its group key.
    expect((await cells('group-2')).slice(1, 7)).toEqual([
      asset,
      'cards',
      'CRITICAL',
      'in KEV',
      'OPEN',
      'by group key',
    ]);
    expect((await cells('group-1')).slice(3, 7)).toEqual(['HIGH', 'in KEV', 'OPEN', 'listed']);
    await page.screenshot({
      path: path.join(ARTIFACTS, 'policy-console-group.png'),
      fullPage: true,
    });

    // The Activity view links each ticket's group to the same page.
    await page.getByRole('link', { name: 'Activity' }).click();
    await page
      .getByRole('table', { name: 'Recent tickets' })
      .getByRole('link', { name: groupKey })
      .click();
    await page.getByRole('heading', { name: 'Ticket group', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(groupPath);
    await page.getByText(`Group key: ${groupKey}`).waitFor();
  });
});
