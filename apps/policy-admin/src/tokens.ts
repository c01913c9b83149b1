export const ADMIN_DB = Symbol('admin.db');
export const ADMIN_STORAGE = Symbol('admin.storage');
export const ADMIN_CLOCK = Symbol('admin.clock');
export const ADMIN_SETTINGS = Symbol('admin.settings');

/** Settings the services read, taken from the validated config once. */
export interface AdminSettings {
  proposalTtlMs: number;
  sessionTtlMs: number;
  cookieSecure: boolean;
  localUsers: boolean;
  expiryIntervalMs: number;
  outboxPollMs: number;
  readModelRetentionMs: number;
  whatIfMaxDays: number;
  loginRatePerMinute: number;
}
