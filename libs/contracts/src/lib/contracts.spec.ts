import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { renderAsyncApiYaml } from './asyncapi';
import { AUDIT_GENESIS_HASH, computeAuditHash, verifyAuditChain, type AuditEntryV1 } from './audit';
import { ContractViolationError, decodeEvent, encodeEvent } from './envelope';
import { EXAMPLE_AUDIT_ENTRY, EXAMPLE_FINDING, EXAMPLE_POLICY_STATE, EXAMPLES } from './examples';
import { allJsonSchemas } from './json-schema';
import { teamInFlightBudget, type TierPolicyV1 } from './policy';
import { dlqTopicName, TOPICS, type TopicId } from './topics';

const repoRoot = path.resolve(__dirname, '../../../..');

describe('topic catalogue', () => {
  it('holds the topics of the brief with their keys', () => {
    expect(Object.values(TOPICS).map((t) => [t.name, t.key])).toEqual([
      ['findings.raw', 'fingerprint'],
      ['scans.completed', 'asset+tool scope'],
      ['findings.classified', 'fingerprint'],
      ['findings.resolved', 'fingerprint'],
      ['remediation.events', 'fingerprint'],
      ['tickets.events', 'fingerprint/group'],
      ['policy.state', 'tier (or global)'],
      ['audit.log', 'entity'],
      ['apikeys.state', 'API key id (compacted)'],
      ['apikeys.usage', 'API key id (compacted)'],
      ['risk.acceptances', 'acceptance id (compacted)'],
      ['intel.updates', 'intel kind (kev or epss)'],
    ]);
    expect(TOPICS.policyState.compacted).toBe(true);
    expect(dlqTopicName('findings.raw')).toBe('findings.raw.dlq');
  });

  it.each(Object.keys(TOPICS) as TopicId[])('has a valid example for %s', (id) => {
    const result = TOPICS[id].schema.safeParse(EXAMPLES[id]);
    expect(result.error?.issues).toBeUndefined();
  });
});

describe('Finding v1 validation', () => {
  it('rejects a finding without fingerprint and says where', () => {
    const { fingerprint: _omit, ...rest } = EXAMPLE_FINDING;
    const result = TOPICS.findingsRaw.schema.safeParse(rest);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('/'))).toContain('fingerprint');
  });

  it('rejects unknown fields, bad enums and non-URL references', () => {
    const result = TOPICS.findingsRaw.schema.safeParse({
      ...EXAMPLE_FINDING,
      surprise: 1,
      kind: 'virus',
      references: ['javascript:alert(1)'],
    });
    const paths = result.error?.issues.map((i) => i.path.join('/')) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['', 'kind', 'references/0']));
  });
});

describe('policy.state v1 budgets', () => {
  const tier = EXAMPLE_POLICY_STATE as TierPolicyV1;

  it('still reads records written before perTeamInFlight existed, taking maxInFlight for it', () => {
    expect('perTeamInFlight' in tier.budgets).toBe(false);
    const parsed = TOPICS.policyState.schema.parse(tier) as TierPolicyV1;
    expect(parsed.budgets).toEqual(tier.budgets);
    expect(teamInFlightBudget(parsed.budgets)).toBe(tier.budgets.maxInFlight);
  });

  it('reads a per-team in-flight budget and refuses a negative or fractional one', () => {
    const withTeam = { ...tier, budgets: { ...tier.budgets, perTeamInFlight: 2 } };
    expect(
      teamInFlightBudget((TOPICS.policyState.schema.parse(withTeam) as TierPolicyV1).budgets),
    ).toBe(2);
    for (const bad of [-1, 1.5, 1_001]) {
      const result = TOPICS.policyState.schema.safeParse({
        ...tier,
        budgets: { ...tier.budgets, perTeamInFlight: bad },
      });
      expect(result.error?.issues.map((i) => i.path.join('/'))).toEqual([
        'budgets/perTeamInFlight',
      ]);
    }
  });
});

describe('CloudEvents binary envelope', () => {
  it('round-trips an event with ce_* headers and the key', () => {
    const encoded = encodeEvent(TOPICS.findingsRaw, {
      key: EXAMPLE_FINDING.fingerprint,
      data: EXAMPLE_FINDING,
      source: '/hum/ingest-gateway',
      correlationId: 'req-123',
      subject: 'payments-api',
    });
    expect(encoded.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'dev.hum.finding.raw.v1',
      ce_source: '/hum/ingest-gateway',
      ce_dataschema: 'urn:hum:schema:finding.v1',
      ce_correlationid: 'req-123',
      ce_subject: 'payments-api',
      'content-type': 'application/json',
    });
    expect(encoded.headers['ce_id']).toMatch(/^[0-9a-f-]{36}$/);
    const headers = Object.fromEntries(
      Object.entries(encoded.headers).map(([k, v]) => [k, Buffer.from(v)]),
    );
    const decoded = decodeEvent(TOPICS.findingsRaw, {
      key: Buffer.from(encoded.key),
      value: encoded.value,
      headers,
    });
    expect(decoded.data).toEqual(EXAMPLE_FINDING);
    expect(decoded.metadata.correlationId).toBe('req-123');
    expect(decoded.key).toBe(EXAMPLE_FINDING.fingerprint);
  });

  it('refuses to encode an event that breaks its contract', () => {
    expect(() =>
      encodeEvent(TOPICS.findingsRaw, {
        key: 'k',
        data: { ...EXAMPLE_FINDING, title: '' },
        source: '/t',
      }),
    ).toThrow(/\/title: /);
    expect(() =>
      encodeEvent(TOPICS.findingsRaw, { key: '', data: EXAMPLE_FINDING, source: '/t' }),
    ).toThrow(/key is required/);
  });

  it.each([
    ['no key', { key: null }, 'invalid-envelope', /no key/],
    [
      'wrong type',
      { headers: { ce_type: 'dev.hum.other.v1' } },
      'invalid-envelope',
      /ce_type must be/,
    ],
    [
      'missing specversion',
      { headers: { ce_specversion: undefined } },
      'invalid-envelope',
      /ce_specversion/,
    ],
    ['not JSON', { value: '{not json' }, 'invalid-envelope', /not JSON/],
    [
      'schema violation',
      { value: JSON.stringify({ ...EXAMPLE_FINDING, severity: 'high' }) },
      'contract-violation',
      /\/severity: /,
    ],
  ])('rejects a message with %s', (_name, change, kind, message) => {
    const good = encodeEvent(TOPICS.findingsRaw, {
      key: 'k1',
      data: EXAMPLE_FINDING,
      source: '/t',
    });
    const raw = {
      key: 'key' in change ? change.key : good.key,
      value: 'value' in change && change.value !== undefined ? change.value : good.value,
      headers: { ...good.headers, ...('headers' in change ? change.headers : {}) },
    };
    let error: unknown;
    try {
      decodeEvent(TOPICS.findingsRaw, raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractViolationError);
    expect((error as ContractViolationError).kind).toBe(kind);
    expect((error as Error).message).toMatch(message);
  });
});

describe('audit hash chain', () => {
  function chain(n: number): AuditEntryV1[] {
    const entries: AuditEntryV1[] = [];
    let prevHash = AUDIT_GENESIS_HASH;
    for (let seq = 1; seq <= n; seq += 1) {
      const body = { ...EXAMPLE_AUDIT_ENTRY, seq, details: { n: seq }, prevHash };
      const entry = { ...body, hash: computeAuditHash(body) };
      entries.push(entry);
      prevHash = entry.hash;
    }
    return entries;
  }

  it('verifies an intact chain', () => {
    expect(verifyAuditChain(chain(5))).toEqual({ ok: true, checked: 5 });
  });

  it('names the first tampered entry', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, details: { n: 999 } };
    expect(verifyAuditChain(entries)).toMatchObject({ ok: false, brokenAt: 3, checked: 2 });
  });

  it('catches a deleted entry', () => {
    const entries = chain(5);
    entries.splice(1, 1);
    expect(verifyAuditChain(entries)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('hashes independently of key order', () => {
    const { hash: _h, ...body } = EXAMPLE_AUDIT_ENTRY;
    const reordered = Object.fromEntries(Object.entries(body).reverse()) as typeof body;
    expect(computeAuditHash(reordered)).toBe(EXAMPLE_AUDIT_ENTRY.hash);
  });
});

describe('generated documents', () => {
  it('docs/asyncapi.yaml is up to date (run npm run contracts:generate)', () => {
    const committed = readFileSync(path.join(repoRoot, 'docs/asyncapi.yaml'), 'utf8');
    expect(committed).toBe(renderAsyncApiYaml());
  });

  it('docs/asyncapi.yaml is a valid AsyncAPI 3.0 document', () => {
    const specs = require('@asyncapi/specs') as { schemas: Record<string, object> };
    // The spec bundles its own copy of the draft-07 meta-schema, which Ajv already knows.
    const schema = structuredClone(specs.schemas['3.0.0']) as {
      definitions: Record<string, unknown>;
    };
    delete schema.definitions['http://json-schema.org/draft-07/schema'];
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const document = parse(renderAsyncApiYaml()) as Record<string, unknown>;
    const valid = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The validator is not vacuous: an AsyncAPI 2-style operation is refused.
    const operations = document['operations'] as Record<string, Record<string, unknown>>;
    const first = Object.keys(operations)[0]!;
    operations[first] = { ...operations[first], action: 'publish' };
    expect(validate(document)).toBe(false);
  });

  it('every message example validates against its JSON Schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const [id, topic] of Object.entries(TOPICS) as [TopicId, (typeof TOPICS)[TopicId]][]) {
      const schema = allJsonSchemas().get(`${topic.schemaName}.json`);
      const validate = ajv.compile(schema!);
      expect({ id, ok: validate(EXAMPLES[id]), errors: validate.errors }).toEqual({
        id,
        ok: true,
        errors: null,
      });
    }
  });

  it('docs/schemas matches the contracts', () => {
    const dir = path.join(repoRoot, 'docs/schemas');
    const generated = allJsonSchemas();
    expect(readdirSync(dir).sort()).toEqual([...generated.keys()].sort());
    for (const [file, schema] of generated) {
      expect(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))).toEqual(schema);
    }
  });
});
