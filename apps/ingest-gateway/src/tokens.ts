export const SCAN_PUBLISHERS = Symbol('ingest.scan-publishers');
export const GATEWAY_CONFIG = Symbol('ingest.limits');
export const GATEWAY_CLOCK = Symbol('ingest.clock');

export interface GatewayLimits {
  maxReportBytes: number;
  maxFindings: number;
  spoolDirectory: string;
  ratePerMinute: number;
  rateBurst: number;
}
