import { ASSET_TYPES, ENVIRONMENTS, EXPOSURES, SEVERITIES } from '@hum/contracts';
import { FORMAT_IDS } from '@hum/scanner-formats';

const problem = {
  description: 'RFC 9457 problem details: what is wrong and where',
  content: {
    'application/problem+json': {
      schema: {
        type: 'object',
        required: ['type', 'title', 'status', 'detail'],
        properties: {
          type: { type: 'string', format: 'uri' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          instance: { type: 'string' },
          format: { type: 'string', description: 'The report format, for report errors' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                pointer: { type: 'string', description: 'JSON pointer into the report' },
                parameter: { type: 'string' },
                line: { type: 'integer' },
                column: { type: 'integer' },
                detail: { type: 'string' },
              },
            },
          },
        },
      },
    },
  },
};

const parameter = (
  name: string,
  header: string,
  description: string,
  schema: object,
  required = false,
): object[] => [
  { name, in: 'query', required, description: `${description} (or the ${header} header)`, schema },
  { name: header, in: 'header', required: false, description: `Same as ?${name}=`, schema },
];

/** The gateway's OpenAPI 3.1 description, served at /docs to authenticated callers. */
export const GATEWAY_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'hum ingest gateway',
    version: '1.0.0',
    description:
      'Pipelines publish the reports their scanners already produce. A report is published ' +
      'all-or-nothing: a rejected report publishes nothing.',
  },
  security: [{ apiKey: [] }],
  components: {
    securitySchemes: {
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description: 'A pipeline API key: hum_<id>_<secret>',
      },
    },
  },
  paths: {
    '/v1/scans': {
      post: {
        summary: 'Publish a scan report',
        description: `Formats: ${FORMAT_IDS.join(', ')}; detected from content unless ?format= is given. Bodies may be gzip-encoded (Content-Encoding: gzip).`,
        parameters: [
          ...parameter('asset', 'X-Hum-Asset', 'Asset id', { type: 'string' }, true),
          ...parameter('assetType', 'X-Hum-Asset-Type', 'Asset type (default repository)', {
            enum: [...ASSET_TYPES],
          }),
          ...parameter('environment', 'X-Hum-Environment', 'Environment', {
            enum: [...ENVIRONMENTS],
          }),
          ...parameter('team', 'X-Hum-Team', 'Owning team', { type: 'string' }),
          ...parameter('owner', 'X-Hum-Owner', 'Owner', { type: 'string' }),
          ...parameter('exposure', 'X-Hum-Exposure', 'Exposure', { enum: [...EXPOSURES] }),
          ...parameter('repository', 'X-Hum-Repository', 'Repository URL', {
            type: 'string',
            format: 'uri',
          }),
          ...parameter('commit', 'X-Hum-Commit', 'Commit hash', { type: 'string' }),
          ...parameter('pipelineRun', 'X-Hum-Pipeline-Run', 'Pipeline run URL', {
            type: 'string',
            format: 'uri',
          }),
          ...parameter('format', 'X-Hum-Format', 'Report format override', {
            enum: [...FORMAT_IDS],
          }),
        ],
        requestBody: {
          required: true,
          content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
        },
        responses: {
          '202': {
            description: 'Accepted and published',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    scanId: { type: 'string', format: 'uuid' },
                    format: { enum: [...FORMAT_IDS] },
                    findings: { type: 'integer' },
                    duplicates: { type: 'integer' },
                    severityCounts: {
                      type: 'object',
                      properties: Object.fromEntries(
                        SEVERITIES.map((s) => [s, { type: 'integer' }]),
                      ),
                    },
                    scopes: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          assetId: { type: 'string' },
                          tool: { type: 'string' },
                          findingCount: { type: 'integer' },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          '400': { ...problem, description: 'Invalid scan context or empty body' },
          '401': { ...problem, description: 'Missing or invalid API key' },
          '403': {
            ...problem,
            description: 'The key lacks scans:publish or the asset is outside its scope',
          },
          '413': { ...problem, description: 'Report larger than the limit (after decompression)' },
          '415': { ...problem, description: 'Unsupported Content-Encoding' },
          '422': {
            ...problem,
            description: 'Unknown format or invalid report, with format and location',
          },
          '429': { ...problem, description: 'Rate limited; see Retry-After' },
          '500': { ...problem, description: 'Failed; nothing was published; quote the error id' },
        },
      },
    },
  },
};
