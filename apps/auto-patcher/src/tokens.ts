export const PATCHER_CONFIG = Symbol('patcher.config');
export const PATCHER_DATABASE = Symbol('patcher.database');
export const PATCHER_DB = Symbol('patcher.db');
export const PATCHER_CLOCK = Symbol('patcher.clock');
