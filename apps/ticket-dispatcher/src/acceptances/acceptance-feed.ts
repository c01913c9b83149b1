import { type RiskAcceptanceV1, TOPICS } from '@hum/contracts';
import { CompactedTopicFollower, type FollowerWiring } from '@hum/kafka';
import { AcceptanceIndex } from '@hum/ticketing';
import type { AcceptanceSource } from '../dispatch/group-plan';

export type AcceptanceFeedOptions = FollowerWiring;

/**
 * Follows `risk.acceptances` (read whole at every start, then live) into an index of the
 * latest version of each acceptance, and remembers what each record was aimed at until the
 * tickets concerned have been brought in line (`takeChanged`).
 */
export class AcceptanceFeed implements AcceptanceSource {
  private readonly index = new AcceptanceIndex();
  private readonly follower: CompactedTopicFollower<typeof TOPICS.riskAcceptances.schema>;
  private changed = new Set<string>();
  private listener: (() => void) | undefined;

  constructor(options: AcceptanceFeedOptions) {
    this.follower = new CompactedTopicFollower({
      ...options,
      topic: TOPICS.riskAcceptances,
      apply: (records) => {
        for (const { key, data } of records) {
          for (const target of this.index.apply(key, data)) this.changed.add(target);
        }
        if (this.follower.loaded) this.listener?.();
      },
      onLoaded: () => this.listener?.(),
    });
  }

  get loaded(): boolean {
    return this.follower.loaded;
  }

  /** Called (synchronously, from the consumer) when records arrived after loading, and once loaded. */
  onChange(listener: () => void): void {
    this.listener = listener;
  }

  candidates(groupKey: string, fingerprints: Iterable<string>): RiskAcceptanceV1[] {
    return this.index.candidates(groupKey, fingerprints);
  }

  get(id: string): RiskAcceptanceV1 | undefined {
    return this.index.get(id);
  }

  size(): number {
    return this.index.size();
  }

  /** Every target some acceptance is aimed at. */
  targets(): string[] {
    return this.index.targets();
  }

  /** The targets (`finding:…` / `group:…`) changed since the last call. */
  takeChanged(): string[] {
    const taken = [...this.changed];
    this.changed = new Set();
    return taken;
  }

  /** Gives targets back when bringing their tickets in line failed: they are tried again. */
  putBack(targets: Iterable<string>): void {
    for (const target of targets) this.changed.add(target);
  }

  start(): Promise<void> {
    return this.follower.start();
  }

  waitUntilLoaded(timeoutMs: number): Promise<void> {
    return this.follower.waitUntilLoaded(timeoutMs);
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }
}
