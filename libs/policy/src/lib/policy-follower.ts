import { describeError } from '@hum/common';
import { TOPICS } from '@hum/contracts';
import { CompactedTopicFollower, type FollowerWiring } from '@hum/kafka';
import { applyPolicyRecord, defaultPolicySnapshot, type PolicySnapshot } from './policy-snapshot';

export type PolicyFollowerOptions = FollowerWiring;

type Listener = (snapshot: PolicySnapshot, previous: PolicySnapshot) => void;

/** A policy.state key as the follower holds it: `tier:<tier>` or `global`. */
export type FollowedPolicyKey = `tier:${keyof PolicySnapshot['tiers']}` | 'global';

/**
 * Follows the compacted policy.state topic from its beginning and keeps the current policy in
 * memory: changes apply within a fetch, with no restart. Until it has read up to the end
 * offsets it saw at start, the snapshot is not `loaded` and every tier counts as off — so a
 * service that cannot read policy never automates. A bad record cannot widen automation: the
 * follower skips and logs it.
 */
export class PolicyFollower {
  private snapshot: PolicySnapshot = defaultPolicySnapshot();
  private readonly listeners = new Set<Listener>();
  /** When this process applied each key's current record (ms since the epoch). */
  private readonly appliedAt = new Map<FollowedPolicyKey, number>();
  private readonly follower: CompactedTopicFollower<typeof TOPICS.policyState.schema>;

  constructor(private readonly options: PolicyFollowerOptions) {
    this.follower = new CompactedTopicFollower({
      ...options,
      topic: TOPICS.policyState,
      apply: (records) => {
        let next = this.snapshot;
        for (const record of records) {
          if (record.data === null) continue;
          const applied = applyPolicyRecord(next, record.data);
          if (applied !== next)
            this.appliedAt.set(
              record.data.kind === 'global' ? 'global' : `tier:${record.data.tier}`,
              Date.now(),
            );
          next = applied;
        }
        this.update(next);
      },
      onLoaded: () => this.update({ ...this.snapshot, loaded: true }),
    });
  }

  current(): PolicySnapshot {
    return this.snapshot;
  }

  /** Which service follows (as named in its wiring), for metrics and logs. */
  get service(): string {
    return this.options.service;
  }

  /** When this process applied the key's current record; undefined while it holds the default. */
  appliedAtMs(key: FollowedPolicyKey): number | undefined {
    return this.appliedAt.get(key);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): Promise<void> {
    return this.follower.start();
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  private update(next: PolicySnapshot): void {
    const previous = this.snapshot;
    if (next === previous) return;
    this.snapshot = next;
    for (const listener of this.listeners) {
      try {
        listener(next, previous);
      } catch (error) {
        this.options.logger.error({ error: describeError(error) }, 'policy listener failed');
      }
    }
  }
}
