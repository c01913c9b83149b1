import { type RiskAcceptanceV1, TOPICS } from '@hum/contracts';
import { CompactedTopicFollower, type FollowerWiring } from '@hum/kafka';
import { type AcceptanceSubject, RiskAcceptanceBook } from './risk-acceptance-book';

export type RiskAcceptanceFollowerOptions = FollowerWiring;

/**
 * Follows `risk.acceptances`. Until the topic has been read to its end nothing counts as
 * accepted: a gate that cannot read acceptances blocks rather than lets findings through.
 */
export class RiskAcceptanceFollower {
  private readonly book = new RiskAcceptanceBook();
  private readonly follower: CompactedTopicFollower<typeof TOPICS.riskAcceptances.schema>;

  constructor(options: RiskAcceptanceFollowerOptions) {
    this.follower = new CompactedTopicFollower({
      ...options,
      topic: TOPICS.riskAcceptances,
      apply: (records) => {
        for (const { key, data } of records) this.book.apply(key, data);
      },
    });
  }

  get loaded(): boolean {
    return this.follower.loaded;
  }

  coverFor(subject: AcceptanceSubject, now: Date): RiskAcceptanceV1 | undefined {
    return this.follower.loaded ? this.book.coverFor(subject, now) : undefined;
  }

  size(): number {
    return this.book.size();
  }

  start(): Promise<void> {
    return this.follower.start();
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }
}
