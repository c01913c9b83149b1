import type { Location, Severity, ToolRef } from '@hum/contracts';
import { httpUrls, normalizeCwes, truncate } from '../../core/normalize';
import type { ParsedFinding } from '../../core/types';

// One model for both ZAP report forms (traditional XML and JSON): each parser validates its
// own syntax into it, and one mapper turns an alert into a finding.

export interface ZapInstance {
  uri?: string;
  method?: string;
  param?: string;
  attack?: string;
  evidence?: string;
}

export interface ZapAlert {
  pluginId: string;
  /** `pluginid-variant`, written by ZAP 2.10 and later. */
  alertRef?: string;
  name: string;
  risk: ZapRisk;
  /** Exactly as reported: `riskdesc` ("Low (Medium)"), else the riskcode. */
  riskReported: string;
  confidence?: string;
  description?: string;
  solution?: string;
  otherInfo?: string;
  reference?: string;
  cweId?: string;
  wascId?: string;
  /** The number of instances ZAP saw; the report may list fewer. */
  count?: number;
  instances: ZapInstance[];
}

export interface ZapSite {
  /** `scheme://host:port` as ZAP names the site. */
  name: string;
}

export type ZapRisk = 0 | 1 | 2 | 3;

const RISK_SEVERITY: Record<ZapRisk, Severity> = { 0: 'info', 1: 'low', 2: 'medium', 3: 'high' };
const CONFIDENCE_WORDS: Record<string, string> = {
  '0': 'false-positive',
  '1': 'low',
  '2': 'medium',
  '3': 'high',
  '4': 'confirmed',
};
const RISK_CODE = /^[0-3]$/;
const PARAGRAPH_END = /<\/p>|<br\s*\/?>/gi;
const TAG = /<[^>]*>/g;
const ENTITY = /&(lt|gt|amp|quot|apos|#39|#x27);/g;
const ENTITY_TEXT: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  '#39': "'",
  '#x27': "'",
};
const BLANK_LINES = /\n{3,}/g;
const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;
const MAX_LISTED_INSTANCES = 50;
/** ZAP's alert name and tool name: hum writes "ZAP" whatever the report calls itself. */
export const ZAP_TOOL_NAME = 'ZAP';

/** `riskcode` text → risk 0..3, or `undefined` when it is not one. */
export function zapRisk(riskcode: string): ZapRisk | undefined {
  const text = riskcode.trim();
  return RISK_CODE.test(text) ? (Number(text) as ZapRisk) : undefined;
}

/** ZAP 2.9+ writes descriptions as HTML paragraphs: plain text for tickets. */
export function zapHtmlToText(html: string | undefined): string | undefined {
  if (html === undefined) return undefined;
  const text = html
    .replace(PARAGRAPH_END, '\n')
    .replace(TAG, '')
    .replace(ENTITY, (_, name: string) => ENTITY_TEXT[name] ?? '')
    .replace(BLANK_LINES, '\n\n')
    .trim();
  return text === '' ? undefined : text;
}

function instanceLine(instance: ZapInstance): string {
  let line = `${instance.method ?? 'GET'} ${instance.uri ?? ''}`;
  if (instance.param) line += ` (parameter: ${instance.param})`;
  if (instance.evidence) line += ` evidence: ${truncate(instance.evidence, 200)}`;
  return line;
}

function describe(alert: ZapAlert): string | undefined {
  const parts: string[] = [];
  const description = zapHtmlToText(alert.description);
  if (description) parts.push(description);
  const solution = zapHtmlToText(alert.solution);
  if (solution) parts.push(`Solution: ${solution}`);
  const otherInfo = zapHtmlToText(alert.otherInfo);
  if (otherInfo) parts.push(`Other information: ${otherInfo}`);
  if (alert.instances.length > 0) {
    const total = Math.max(alert.count ?? 0, alert.instances.length);
    const listed = alert.instances.slice(0, MAX_LISTED_INSTANCES).map(instanceLine);
    parts.push(`Instances (${listed.length} of ${total}):\n${listed.join('\n')}`);
  }
  return truncate(parts.join('\n\n'), 32_000);
}

function locationOf(alert: ZapAlert, site: ZapSite): Location {
  const first = alert.instances[0];
  const location: Location = { url: truncate(first?.uri ?? site.name, 4000)! };
  if (first?.method) location.method = truncate(first.method, 20);
  if (first?.param) location.parameter = truncate(first.param, 500);
  return location;
}

function tagsOf(alert: ZapAlert): string[] {
  const tags: string[] = [];
  const confidence =
    alert.confidence === undefined ? undefined : CONFIDENCE_WORDS[alert.confidence.trim()];
  if (confidence) tags.push(`confidence:${confidence}`);
  const wasc = alert.wascId?.trim();
  if (wasc && wasc !== '0' && wasc !== '-1') tags.push(truncate(`wasc:${wasc}`, 100)!);
  return tags;
}

/**
 * One finding per alert of a site. The instances (URL, method, parameter) are listed in the
 * description and the first one is the location; the identity is the alert on the site,
 * because ZAP lists only some instances of an alert and which ones varies between runs.
 */
export function mapZapAlert(alert: ZapAlert, site: ZapSite, tool: ToolRef): ParsedFinding {
  const ruleId = alert.alertRef ?? alert.pluginId;
  const cwe = alert.cweId?.trim();
  return {
    kind: 'weakness',
    title: truncate(alert.name, 1000)!,
    description: describe(alert),
    rule: { id: truncate(ruleId, 500)!, name: truncate(alert.name, 1000) },
    severity: {
      reported: truncate(alert.riskReported, 100),
      normalized: RISK_SEVERITY[alert.risk],
    },
    cvss: [],
    cwes: cwe && Number(cwe) > 0 ? normalizeCwes([cwe]) : [],
    location: locationOf(alert, site),
    references: httpUrls(zapHtmlToText(alert.reference)?.match(URL_IN_TEXT) ?? []),
    tags: tagsOf(alert),
    tool,
    fingerprintBasis: {
      kind: 'resource',
      tool: ZAP_TOOL_NAME,
      // Before alertRef (ZAP < 2.10) one plugin can raise differently named alerts.
      ruleId: alert.alertRef ?? `${alert.pluginId}/${alert.name}`,
      resource: site.name,
    },
  };
}
