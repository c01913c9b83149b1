import { AssetRef } from '@hum/contracts';
import { FORMAT_IDS, type FormatId } from '@hum/scanner-formats';
import type { ProblemLocation } from '@hum/runtime';

/** Query parameter -> header -> AssetRef field. Either carrier works; both must agree. */
const FIELDS = [
  { param: 'asset', header: 'x-hum-asset', field: 'id' },
  { param: 'assetType', header: 'x-hum-asset-type', field: 'type' },
  { param: 'environment', header: 'x-hum-environment', field: 'environment' },
  { param: 'team', header: 'x-hum-team', field: 'team' },
  { param: 'owner', header: 'x-hum-owner', field: 'owner' },
  { param: 'exposure', header: 'x-hum-exposure', field: 'exposure' },
  { param: 'repository', header: 'x-hum-repository', field: 'repository' },
  { param: 'commit', header: 'x-hum-commit', field: 'commit' },
  { param: 'pipelineRun', header: 'x-hum-pipeline-run', field: 'pipelineRun' },
] as const;

export const SCAN_PARAMETERS = [...FIELDS.map((f) => f.param), 'format'] as const;

export interface ScanRequest {
  asset: AssetRef;
  format: FormatId | undefined;
}

export type ScanRequestResult =
  { ok: true; request: ScanRequest } | { ok: false; errors: ProblemLocation[] };

type Carrier = Record<string, string | string[] | undefined>;

function single(carrier: Carrier, name: string): string | string[] | undefined {
  const value = carrier[name];
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

/**
 * Reads the scan's asset context and format from query parameters or `X-Hum-*` headers,
 * naming the parameter in every error. The asset type defaults to `repository`.
 */
export function readScanRequest(query: Carrier, headers: Carrier): ScanRequestResult {
  const errors: ProblemLocation[] = [];
  const raw: Record<string, string> = {};
  const origin: Record<string, string> = {};
  const pick = (param: string, header: string): string | undefined => {
    const fromQuery = single(query, param);
    const fromHeader = single(headers, header);
    for (const [name, value] of [
      [param, fromQuery],
      [header, fromHeader],
    ] as const) {
      if (Array.isArray(value)) errors.push({ parameter: name, detail: 'given more than once' });
    }
    const q = typeof fromQuery === 'string' ? fromQuery : undefined;
    const h = typeof fromHeader === 'string' ? fromHeader : undefined;
    if (q !== undefined && h !== undefined && q !== h) {
      errors.push({ parameter: param, detail: `query parameter and ${header} header disagree` });
    }
    return q ?? h;
  };
  for (const { param, header, field } of FIELDS) {
    const value = pick(param, header);
    if (value !== undefined && value !== '') {
      raw[field] = value;
      origin[field] = param;
    }
  }
  const format = pick('format', 'x-hum-format');
  if (format !== undefined && !(FORMAT_IDS as readonly string[]).includes(format)) {
    errors.push({
      parameter: 'format',
      detail: `unknown format; supported: ${FORMAT_IDS.join(', ')}`,
    });
  }
  if (raw['id'] === undefined)
    errors.push({ parameter: 'asset', detail: 'required (query ?asset= or X-Hum-Asset header)' });
  const parsed = AssetRef.safeParse({ type: 'repository', ...raw });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      if (field === 'id' && raw['id'] === undefined) continue;
      errors.push({ parameter: origin[field] ?? field, detail: issue.message });
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, request: { asset: parsed.data, format: format as FormatId | undefined } };
}
