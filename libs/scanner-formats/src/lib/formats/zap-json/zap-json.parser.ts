import type { ToolRef } from '@hum/contracts';
import { z } from 'zod';
import { ReportParseError } from '../../core/errors';
import { FindingLimit } from '../../core/finding-limit';
import { truncate } from '../../core/normalize';
import { readWithSchema } from '../../core/read-with-schema';
import type { ParseOptions, ParsedFinding, ReportParser, ReportSource } from '../../core/types';
import { parseJsonText } from '../../stream/json-stream';
import { mapZapAlert, ZAP_TOOL_NAME, zapRisk, type ZapAlert } from './zap-alert';

const FORMAT = 'zap-json';
const text = z.string().nullish();
// ZAP 2.9 writes numbers as strings ("riskcode": "1"); later versions may not.
const requiredScalar = z.union([z.string(), z.number()]);
const scalar = requiredScalar.nullish();

/** ZAP 2.9 writes numbers as strings ("riskcode": "1"); later versions may not. */
function asText(value: string | number | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

const ZapJsonAlert = z.object({
  pluginid: requiredScalar,
  alertRef: scalar,
  alert: text,
  name: text,
  riskcode: requiredScalar,
  confidence: scalar,
  riskdesc: text,
  desc: text,
  // Request and response bodies of the "plus" templates are deliberately not read.
  instances: z
    .array(z.object({ uri: text, method: text, param: text, attack: text, evidence: text }))
    .nullish(),
  count: scalar,
  solution: text,
  otherinfo: text,
  reference: text,
  cweid: scalar,
  wascid: scalar,
});
type ZapJsonAlert = z.infer<typeof ZapJsonAlert>;

const ZapJsonSite = z.object({
  '@name': z.string().trim().min(1),
  alerts: z.array(z.unknown()).nullish(),
});

const ZapJsonReport = z.object({
  '@version': text,
  // Required: without it the document is not a ZAP report, even a forced one.
  site: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
});

const PROGRAM_NAME = /"@programName"\s*:\s*"(?:OWASP )?ZAP"/;
const VERSION_KEY = /"@version"\s*:\s*"/;
const SITE_KEY = /"site"\s*:\s*[[{]/;
const SITE_NAME_KEY = /"@name"\s*:\s*"/;
const ALERTS_KEY = /"alerts"\s*:\s*\[/;
const WHOLE_NUMBER = /^\d+$/;

function orUndefined(value: string | null | undefined): string | undefined {
  return value ?? undefined;
}

function toAlert(json: ZapJsonAlert, pointer: string): ZapAlert {
  const riskcode = String(json.riskcode);
  const risk = zapRisk(riskcode);
  if (risk === undefined) {
    throw new ReportParseError(
      FORMAT,
      `riskcode must be 0, 1, 2 or 3, not "${truncate(riskcode, 20)}"`,
      {
        pointer: `${pointer}/riskcode`,
      },
    );
  }
  const name = json.name?.trim() || json.alert?.trim();
  if (!name) {
    throw new ReportParseError(FORMAT, 'the alert has neither name nor alert', {
      pointer: `${pointer}/name`,
    });
  }
  const count = asText(json.count);
  return {
    pluginId: String(json.pluginid),
    alertRef: asText(json.alertRef),
    name,
    risk,
    riskReported: json.riskdesc?.trim() || riskcode,
    confidence: asText(json.confidence),
    description: orUndefined(json.desc),
    solution: orUndefined(json.solution),
    otherInfo: orUndefined(json.otherinfo),
    reference: orUndefined(json.reference),
    cweId: asText(json.cweid),
    wascId: asText(json.wascid),
    count: count !== undefined && WHOLE_NUMBER.test(count) ? Number(count) : undefined,
    instances: (json.instances ?? []).map((instance) => ({
      uri: orUndefined(instance.uri),
      method: orUndefined(instance.method),
      param: orUndefined(instance.param),
      attack: orUndefined(instance.attack),
      evidence: orUndefined(instance.evidence),
    })),
  };
}

async function* parseZapJson(
  source: ReportSource,
  options: ParseOptions,
): AsyncGenerator<ParsedFinding> {
  const report = readWithSchema(
    ZapJsonReport,
    parseJsonText(await source.text(), FORMAT),
    FORMAT,
    '',
  );
  const version = truncate(report['@version'], 100);
  const tool: ToolRef = version ? { name: ZAP_TOOL_NAME, version } : { name: ZAP_TOOL_NAME };
  // One site may be written as an object rather than a one-element list.
  const sites = Array.isArray(report.site) ? report.site : [report.site];
  const sitePointer = (index: number): string =>
    Array.isArray(report.site) ? `/site/${index}` : '/site';
  const limit = new FindingLimit(FORMAT, options.maxFindings);
  for (let s = 0; s < sites.length; s += 1) {
    const site = readWithSchema(ZapJsonSite, sites[s], FORMAT, sitePointer(s));
    const alerts = site.alerts ?? [];
    for (let a = 0; a < alerts.length; a += 1) {
      const pointer = `${sitePointer(s)}/alerts/${a}`;
      const alert = toAlert(readWithSchema(ZapJsonAlert, alerts[a], FORMAT, pointer), pointer);
      limit.take({ pointer });
      yield mapZapAlert(alert, { name: site['@name'].trim() }, tool);
    }
  }
}

export const zapJsonParser: ReportParser = {
  format: FORMAT,
  displayName: 'OWASP ZAP JSON',
  defaultTool: { name: 'ZAP' },
  detect(head: string): number {
    if (PROGRAM_NAME.test(head) && SITE_KEY.test(head)) return 0.95;
    if (
      VERSION_KEY.test(head) &&
      SITE_KEY.test(head) &&
      (SITE_NAME_KEY.test(head) || ALERTS_KEY.test(head))
    )
      return 0.9;
    return 0;
  },
  parse: parseZapJson,
};
