import type { ToolRef } from '@hum/contracts';
import { childElement, childElements, childText, elementLocation } from '../xml-common/xml-element';
import { streamXmlElements, type XmlElement } from '../xml-common/xml-stream';
import { mapZapAlert, ZAP_TOOL_NAME, zapRisk, type ZapAlert } from '../zap-json/zap-alert';
import { ReportParseError } from '../../core/errors';
import { FindingLimit } from '../../core/finding-limit';
import { truncate } from '../../core/normalize';
import type { ParseOptions, ParsedFinding, ReportParser, ReportSource } from '../../core/types';

const FORMAT = 'zap-xml';
const ZAP_ROOT = /<OWASPZAPReport[\s>]/;
const WHOLE_NUMBER = /^\d+$/;

function toAlert(element: XmlElement): ZapAlert {
  const pluginId = childText(element, 'pluginid');
  if (pluginId === undefined) {
    throw new ReportParseError(FORMAT, '<alertitem> has no <pluginid>', elementLocation(element));
  }
  const riskcode = childElement(element, 'riskcode');
  const riskText = childText(element, 'riskcode') ?? '';
  const risk = zapRisk(riskText);
  if (risk === undefined) {
    throw new ReportParseError(
      FORMAT,
      `<riskcode> must be 0, 1, 2 or 3, not "${truncate(riskText, 20) ?? ''}"`,
      elementLocation(riskcode ?? element),
    );
  }
  const name = childText(element, 'name') ?? childText(element, 'alert');
  if (name === undefined) {
    throw new ReportParseError(
      FORMAT,
      '<alertitem> has neither <name> nor <alert>',
      elementLocation(element),
    );
  }
  const count = childText(element, 'count');
  const instances = childElement(element, 'instances');
  return {
    pluginId,
    alertRef: childText(element, 'alertRef'),
    name,
    risk,
    riskReported: childText(element, 'riskdesc') ?? riskText,
    confidence: childText(element, 'confidence'),
    description: childText(element, 'desc'),
    solution: childText(element, 'solution'),
    otherInfo: childText(element, 'otherinfo'),
    reference: childText(element, 'reference'),
    cweId: childText(element, 'cweid'),
    wascId: childText(element, 'wascid'),
    count: count !== undefined && WHOLE_NUMBER.test(count) ? Number(count) : undefined,
    instances: instances
      ? childElements(instances, 'instance').map((instance) => ({
          uri: childText(instance, 'uri'),
          method: childText(instance, 'method'),
          param: childText(instance, 'param'),
          attack: childText(instance, 'attack'),
          evidence: childText(instance, 'evidence'),
        }))
      : [],
  };
}

async function* parseZapXml(
  source: ReportSource,
  options: ParseOptions,
): AsyncGenerator<ParsedFinding> {
  const limit = new FindingLimit(FORMAT, options.maxFindings);
  const alerts = streamXmlElements(source, {
    format: FORMAT,
    root: 'OWASPZAPReport',
    collect: ['OWASPZAPReport/site/alerts/alertitem'],
    // The "XML plus" template captures whole requests and responses, cookies included:
    // never read, never built.
    skip: ['requestheader', 'requestbody', 'responseheader', 'responsebody'],
  });
  for await (const { element, ancestors } of alerts) {
    const [report, site] = ancestors;
    const siteName = site?.attributes['name']?.trim();
    if (!siteName) {
      throw new ReportParseError(FORMAT, '<site> has no name attribute', elementLocation(element));
    }
    const version = truncate(report?.attributes['version'], 100);
    const tool: ToolRef = version ? { name: ZAP_TOOL_NAME, version } : { name: ZAP_TOOL_NAME };
    const alert = toAlert(element);
    limit.take(elementLocation(element));
    yield mapZapAlert(alert, { name: siteName }, tool);
  }
}

export const zapXmlParser: ReportParser = {
  format: FORMAT,
  displayName: 'OWASP ZAP XML',
  defaultTool: { name: 'ZAP' },
  detect(head: string): number {
    return ZAP_ROOT.test(head) ? 0.95 : 0;
  },
  parse: parseZapXml,
};
