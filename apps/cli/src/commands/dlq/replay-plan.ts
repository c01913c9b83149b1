import type { Admin } from 'kafkajs';

/** One DLQ partition's share of a replay: from the group's position up to the snapshot end. */
export interface PartitionPlan {
  partition: number;
  /** First offset not yet replayed by this consumer group (or the log start). */
  start: bigint;
  /**
   * End offset when the replay started (read_committed: the last stable offset), exclusive.
   * Letters dead-lettered after the snapshot wait for the next run.
   */
  end: bigint;
}

export function pendingPartitions(plan: readonly PartitionPlan[]): PartitionPlan[] {
  return plan.filter((p) => p.start < p.end);
}

/** At most this many offsets are waiting (control records of transactions included). */
export function pendingOffsets(plan: readonly PartitionPlan[]): bigint {
  return plan.reduce((sum, p) => sum + (p.end > p.start ? p.end - p.start : 0n), 0n);
}

/**
 * Snapshots the DLQ's end offsets first, then reads where this group stopped last time, so a
 * replay covers exactly what was there when it started.
 */
export async function planReplay(
  admin: Admin,
  dlqTopic: string,
  groupId: string,
): Promise<PartitionPlan[]> {
  const ends = await admin.fetchTopicOffsets(dlqTopic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [dlqTopic] });
  const committedBy = new Map(
    (committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)] as const),
  );
  return ends
    .map(({ partition, high, low }) => {
      const logStart = BigInt(low);
      const position = committedBy.get(partition) ?? -1n;
      // Below the log start, retention already removed what the group had not replayed.
      const start = position < 0n || position < logStart ? logStart : position;
      return { partition, start, end: BigInt(high) };
    })
    .sort((a, b) => a.partition - b.partition);
}
