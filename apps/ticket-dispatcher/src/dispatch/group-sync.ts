import { createHash } from 'node:crypto';
import type { TicketAction } from '@hum/contracts';
import {
  AmbiguousWriteError,
  documentOf,
  idempotencyKey,
  paragraph,
  type RemoteTicket,
  text,
  type TicketDocument,
  type TicketDraft,
  type TicketProvider,
  type TicketRef,
} from '@hum/ticketing';
import type { JournalEntry, JournalWriter } from '../ledger/remote-journal';
import type { GroupWork, PendingComment } from './group-plan';
import { TicketComposer } from './ticket-composer';

/** What was done to a group's ticket, and which consumed event caused it. */
export interface ActionRecord {
  readonly action: TicketAction;
  readonly offset: string;
  readonly detail?: string;
}

export interface GroupSyncOptions {
  readonly provider: TicketProvider;
  readonly journal: JournalWriter;
  readonly composer: TicketComposer;
  readonly now: () => Date;
  /** How long the provider's search may not show a ticket just created. */
  readonly searchConsistencyMs: number;
  /** Waits (keeping the consumer's group membership alive); rejects when the consumer stops. */
  readonly wait: (ms: number) => Promise<void>;
  /** The group's create journal entry and tracker search, made for its whole batch at once. */
  readonly lookup?: TicketLookup;
}

/** What `ensureTicket` reads before it may create: the journal entry and the tracker's answer. */
export interface TicketLookup {
  readonly entry: JournalEntry | undefined;
  readonly found: readonly RemoteTicket[];
}

/**
 * How much later than its started record a create recorded ahead of its search may be sent;
 * crash recovery waits this much longer for the tracker's search to show such a ticket.
 */
export const PRESTART_SLACK_MS = 1_000;

function createOpKey(idempotencyKey: string): string {
  return `create:${idempotencyKey}`;
}

/** Whether `GroupSync.run` will look for (and maybe create) the group's ticket. */
export function needsTicket(work: GroupWork): boolean {
  const { group } = work;
  return (
    group.status !== 'human-closed' &&
    group.ticket_id === null &&
    (work.openMembers().length > 0 || group.kind === 'remediation-failure')
  );
}

/**
 * The lookups of many groups without a ticket, on one tracker: their journal entries in one
 * query and their tickets in one search, instead of a round trip and a search per group. The
 * caller holds every group's lock, so nothing hum does can create one of these tickets
 * between this search and the create it guards. Groups with no journal entry get their create
 * recorded as started during the search (see {@link JournalWriter.prestart}).
 */
export async function lookUpTickets(
  provider: TicketProvider,
  journal: JournalWriter,
  groups: readonly { idempotencyKey: string; groupKey: string }[],
  now: () => Date,
): Promise<Map<string, TicketLookup>> {
  const lookups = new Map<string, TicketLookup>();
  if (groups.length === 0) return lookups;
  const idempotencyKeys = groups.map((group) => group.idempotencyKey);
  const entries = await journal.getMany(idempotencyKeys.map(createOpKey));
  const knownIds = [...entries.values()].flatMap((entry) =>
    entry.ticket_id ? [entry.ticket_id] : [],
  );
  const unstarted = groups.flatMap(({ idempotencyKey, groupKey }) =>
    entries.has(createOpKey(idempotencyKey))
      ? []
      : [{ opKey: createOpKey(idempotencyKey), groupKey }],
  );
  const startedAt = now();
  const [search, prestart] = await Promise.allSettled([
    provider.findEach(idempotencyKeys, knownIds),
    journal.prestart(unstarted, startedAt),
  ]);
  if (prestart.status === 'rejected') throw prestart.reason;
  if (search.status === 'rejected') {
    await journal.forgetUnclaimed();
    throw search.reason;
  }
  // A slow search (rate limits, retries) would leave the records older than the creates by
  // more than crash recovery allows for: stamp them again.
  if (now().getTime() - startedAt.getTime() > PRESTART_SLACK_MS) {
    await journal.prestart(unstarted, now());
  }
  for (const key of idempotencyKeys) {
    lookups.set(key, {
      entry: entries.get(createOpKey(key)),
      found: search.value.get(key) ?? [],
    });
  }
  return lookups;
}

function note(value: string): TicketDocument {
  return documentOf(paragraph(text(value)));
}

/** The text hum leaves in each comment so it can tell whether a comment was already posted. */
export function commentMarker(opKey: string): string {
  return `hum-ref-${createHash('sha256').update(opKey).digest('hex').slice(0, 16)}`;
}

function withMarker(body: TicketDocument, marker: string): TicketDocument {
  return { blocks: [...body.blocks, paragraph(text(`(${marker})`))] };
}

/**
 * Brings one group's ticket in line with the ledger, exactly once: the ticket is found by
 * its idempotency key before it is created (and a create whose outcome is unknown is waited
 * for, never repeated blindly); comments are journaled and checked by marker; transitions
 * read the ticket's state first. The caller holds the group's lock.
 */
export class GroupSync {
  private readonly records: ActionRecord[] = [];

  constructor(
    private readonly work: GroupWork,
    private readonly options: GroupSyncOptions,
  ) {}

  async run(): Promise<ActionRecord[]> {
    const { group } = this.work;
    // A person closed the ticket while findings were open: their decision stands.
    if (group.status === 'human-closed') return this.records;
    const wanted = this.work.openMembers().length > 0 || group.kind === 'remediation-failure';
    let createdNow = false;
    if (group.ticket_id === null) {
      if (!wanted) {
        group.status = 'resolved';
        return this.records;
      }
      createdNow = await this.ensureTicket(
        this.work.firstOffset,
        'created',
        undefined,
        this.options.lookup,
      );
    }
    if (this.work.reopenAt && group.status === 'resolved' && wanted) {
      createdNow = (await this.reopen(this.work.reopenAt)) || createdNow;
    }
    const ref = this.ref();
    // Composed only when needed: a ticket created just now already has this content.
    let content: { draft: TicketDraft; hash: string } | undefined;
    const current = (): { draft: TicketDraft; hash: string } => {
      if (content === undefined) {
        const draft = this.options.composer.draft(group, this.work.memberList());
        content = { draft, hash: TicketComposer.hash(draft) };
      }
      return content;
    };
    if (!createdNow && group.status !== 'resolved' && group.synced_hash !== current().hash) {
      await this.options.provider.update(ref, current().draft);
      group.synced_hash = current().hash;
      this.records.push({ action: 'updated', offset: this.work.lastOffset });
    }
    for (const comment of this.work.comments) {
      if (createdNow && comment.onlyIfExisting) continue;
      if (await this.postComment(ref, comment))
        this.records.push({ action: 'commented', offset: comment.offset });
    }
    if (this.work.resolveAt !== undefined && !wanted && group.status === 'open') {
      if (group.synced_hash !== current().hash) {
        await this.options.provider.update(ref, current().draft);
        group.synced_hash = current().hash;
      }
      await this.options.provider.resolve(
        ref,
        note(
          'Every finding of this ticket was resolved: later complete scans no longer show them. Closed by hum.',
        ),
        'fixed',
      );
      group.status = 'resolved';
      this.records.push({ action: 'resolved', offset: this.work.resolveAt });
    }
    return this.records;
  }

  /**
   * Makes sure the group has a ticket: adopts one found by its key (closing extras as
   * duplicates), or creates it with a journal entry around the call. True when created now.
   */
  async ensureTicket(
    offset: string,
    action: 'created' | 'repaired',
    detail?: string,
    lookup?: TicketLookup,
  ): Promise<boolean> {
    const { group } = this.work;
    const { provider, journal } = this.options;
    const opKey = createOpKey(group.idempotency_key);
    const entry = lookup ? lookup.entry : await journal.get(opKey);
    const knownIds = entry?.ticket_id ? [entry.ticket_id] : [];
    let found = lookup ? [...lookup.found] : await provider.find(group.idempotency_key, knownIds);
    let ticket: RemoteTicket | undefined = found[0];
    if (!ticket && entry?.ticket_id) {
      ticket = await provider.get({
        id: entry.ticket_id,
        key: entry.ticket_key ?? entry.ticket_id,
      });
    }
    // A create was sent before and its answer never came: the ticket may exist without being
    // searchable yet. Look again until the index has surely caught up, never create blindly.
    // A create recorded ahead of its search may have been sent up to PRESTART_SLACK_MS later.
    const window = this.options.searchConsistencyMs + PRESTART_SLACK_MS;
    while (!ticket && entry?.state === 'started') {
      const waited = this.options.now().getTime() - new Date(entry.started_at).getTime();
      if (waited >= window) break;
      await this.options.wait(Math.min(1_000, window - waited));
      found = await provider.find(group.idempotency_key, knownIds);
      ticket = found[0];
    }
    let createdNow = false;
    const prestartedAt = journal.claimPrestarted(opKey);
    if (!ticket) {
      const draft = this.options.composer.draft(group, this.work.memberList());
      const startedAt = prestartedAt ?? this.options.now();
      if (prestartedAt === undefined) {
        await journal.started(opKey, group.group_key, 'create', startedAt);
      }
      try {
        ticket = await provider.create(draft);
      } catch (error) {
        // Only a write whose outcome is unknown leaves the entry standing (to be looked up).
        if (!(error instanceof AmbiguousWriteError)) await journal.forget(opKey);
        throw error;
      }
      await journal.created(opKey, group.group_key, startedAt, this.options.now(), ticket);
      group.synced_hash = TicketComposer.hash(draft);
      createdNow = true;
    } else {
      // Found, not made now: its content may predate the ledger's.
      group.synced_hash = null;
      if (entry?.state !== 'done') {
        if (prestartedAt === undefined) {
          await journal.started(opKey, group.group_key, 'create', this.options.now());
        }
        await journal.done(opKey, this.options.now(), ticket);
      }
    }
    group.ticket_id = ticket.id;
    group.ticket_key = ticket.key;
    group.ticket_url = ticket.url;
    group.status = ticket.status === 'done' ? 'resolved' : 'open';
    this.records.push({
      action,
      offset,
      ...(detail !== undefined
        ? { detail }
        : createdNow
          ? {}
          : { detail: `found ${ticket.key} by its key` }),
    });
    // Closed extras are history already: only an open one is a repair.
    const openDuplicates = found.filter(
      (candidate) => candidate.id !== ticket.id && candidate.status === 'open',
    );
    for (const duplicate of openDuplicates) {
      await provider.resolve(
        duplicate,
        note(`Duplicate of ${ticket.key}, which hum keeps for these findings. Closed by hum.`),
        'duplicate',
      );
      this.records.push({
        action: 'repaired',
        offset,
        detail: `closed duplicate ${duplicate.key} of ${ticket.key}`,
      });
    }
    return createdNow;
  }

  private async reopen(reopen: { offset: string; note: TicketDocument }): Promise<boolean> {
    const { group } = this.work;
    const outcome = await this.options.provider.reopen(this.ref(), reopen.note);
    if (outcome !== 'closed-for-good') {
      group.status = 'open';
      this.records.push({ action: 'reopened', offset: reopen.offset });
      return false;
    }
    // ServiceNow closed (or deleted) tickets cannot be reopened: a successor replaces it.
    const previous = group.ticket_key;
    group.generation += 1;
    group.idempotency_key = idempotencyKey(group.provider, group.group_key, group.generation);
    group.ticket_id = null;
    group.ticket_key = null;
    group.ticket_url = null;
    group.status = 'pending';
    group.synced_hash = null;
    return this.ensureTicket(
      reopen.offset,
      'created',
      `replaces ${previous ?? 'a closed ticket'}, which cannot be reopened`,
    );
  }

  private async postComment(ref: TicketRef, comment: PendingComment): Promise<boolean> {
    const { group } = this.work;
    const { provider, journal } = this.options;
    const opKey = `comment:${group.group_key}:${group.generation}:${comment.key}`;
    const entry = await journal.get(opKey);
    if (entry?.state === 'done') return false;
    const marker = commentMarker(opKey);
    if (entry?.state === 'started' && (await provider.hasComment(ref, marker))) {
      await journal.done(opKey, this.options.now());
      return true;
    }
    await journal.started(opKey, group.group_key, 'comment', this.options.now());
    await provider.comment(ref, withMarker(comment.body, marker));
    await journal.done(opKey, this.options.now());
    return true;
  }

  private ref(): TicketRef {
    const { group } = this.work;
    return { id: group.ticket_id!, key: group.ticket_key ?? group.ticket_id! };
  }
}
