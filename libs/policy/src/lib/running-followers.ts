import type { PolicyFollower } from './policy-follower';

/**
 * The policy followers running in this process, for `/metrics`. The services build their
 * followers in their own wiring (a factory provider, the patcher's PolicyState), which has no
 * metrics registry at hand; a follower enrols itself here on start and leaves on stop, and the
 * gauges read it at scrape time, so that wiring stays as it is.
 */
export const runningPolicyFollowers = new Set<PolicyFollower>();
