// Webhooks as the fake Jira sends them: signed, for every change, hum's own included.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '@hum/config';
import { startFakeJiraCloud, startFakeJiraDataCenter, type FakeJira } from '@hum/testing';
import { documentOf, paragraph, text } from '../content/document';
import { idempotencyKey } from '../idempotency';
import { jiraCloudFor, jiraDataCenterFor } from '../../testing/fixtures';
import { readJiraWebhook, verifyJiraSignature } from './jira-webhook';

interface Received {
  body: Buffer;
  signature: string | undefined;
}

async function receiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const signature = request.headers['x-hub-signature'];
      received.push({
        body: Buffer.concat(chunks),
        signature: Array.isArray(signature) ? signature[0] : signature,
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
  };
}

describe('Jira webhooks', () => {
  const secret = new Secret('webhook-shared-secret-0123');
  let hook: Awaited<ReturnType<typeof receiver>>;
  let jira: FakeJira | undefined;

  beforeEach(async () => {
    hook = await receiver();
  });

  afterEach(async () => {
    await jira?.close();
    await new Promise((resolve) => hook.server.close(resolve));
  });

  it('verifies the signature over the raw body and refuses a wrong one', async () => {
    jira = await startFakeJiraCloud({ webhook: { url: hook.url, secret: secret.reveal() } });
    const provider = jiraCloudFor(jira);
    await provider.create({
      idempotencyKey: idempotencyKey('jira-cloud', 'w1'),
      target: { project: 'SEC', labels: [], components: [] },
      summary: 's',
      body: documentOf(paragraph(text('b'))),
      tier: 'low',
      facts: { groupKey: 'w1', tier: 'low', findingCount: 1 },
    });
    await jira.close();
    jira = undefined;
    const delivery = hook.received[0]!;
    expect(verifyJiraSignature(delivery.body, delivery.signature, secret)).toBe(true);
    expect(
      verifyJiraSignature(delivery.body, delivery.signature, new Secret('another-secret-value')),
    ).toBe(false);
    expect(
      verifyJiraSignature(
        Buffer.concat([delivery.body, Buffer.from(' ')]),
        delivery.signature,
        secret,
      ),
    ).toBe(false);
    expect(verifyJiraSignature(delivery.body, undefined, secret)).toBe(false);
    expect(verifyJiraSignature(delivery.body, 'sha256=zz', secret)).toBe(false);
  });

  it.each([
    ['jira-cloud', "Won't Do"],
    ['jira-dc', "Won't Fix"],
  ] as const)(
    '%s: reads a person closing and reopening, and ignores its own changes',
    async (name, resolution) => {
      const options = { webhook: { url: hook.url, secret: secret.reveal() } };
      jira =
        name === 'jira-cloud'
          ? await startFakeJiraCloud(options)
          : await startFakeJiraDataCenter(options);
      const provider = name === 'jira-cloud' ? jiraCloudFor(jira) : jiraDataCenterFor(jira);
      const own = await provider.account();
      const created = await provider.create({
        idempotencyKey: idempotencyKey(name, 'w2'),
        target: { project: 'SEC', labels: [], components: [] },
        summary: 's',
        body: documentOf(paragraph(text('b'))),
        tier: 'low',
        facts: { groupKey: 'w2', tier: 'low', findingCount: 1 },
      });
      await provider.comment(created, documentOf(paragraph(text('hum comment'))));
      await jira.humanTransition(created.key, 'Done', { resolution });
      await jira.humanTransition(created.key, 'Reopened');
      await jira.close();
      jira = undefined;
      const readings = hook.received.map((d) =>
        readJiraWebhook(name, JSON.parse(d.body.toString('utf8')), own),
      );
      const changes = readings.flatMap((r) => (r.kind === 'change' ? [r.change] : []));
      expect(changes.map((c) => [c.kind, c.resolution ?? null, c.idempotencyKey])).toEqual([
        ['closed', resolution, idempotencyKey(name, 'w2')],
        ['reopened', null, idempotencyKey(name, 'w2')],
      ]);
      expect(changes.every((c) => c.actor !== own && c.ticket.key === created.key)).toBe(true);
      expect(new Set(changes.map((c) => c.changeId)).size).toBe(2);
      expect(
        readings.filter((r) => r.kind === 'ignored').map((r) => (r as { reason: string }).reason),
      ).toContain("hum's own change");
    },
  );
});
