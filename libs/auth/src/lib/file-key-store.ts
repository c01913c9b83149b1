import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { ApiKeyRecord } from './api-key';
import type { ApiKeyStore } from './api-key-verifier';

const KeyFile = z.object({ keys: z.array(ApiKeyRecord) }).strict();

export class ApiKeyFileError extends Error {
  override readonly name = 'ApiKeyFileError';
}

/**
 * Key records from a YAML/JSON document (`keys: [...]`), for bootstrap and the quickstart.
 * Holds hashes only, so the file is not itself a secret worth stealing.
 */
export class StaticApiKeyStore implements ApiKeyStore {
  private readonly byId: Map<string, ApiKeyRecord>;
  private readonly lastUsed = new Map<string, Date>();

  constructor(records: readonly ApiKeyRecord[]) {
    this.byId = new Map(records.map((r) => [r.id, r]));
    if (this.byId.size !== records.length) throw new ApiKeyFileError('duplicate API key ids');
  }

  static fromText(text: string, origin: string): StaticApiKeyStore {
    let raw: unknown;
    try {
      raw = parseYaml(text);
    } catch (error) {
      throw new ApiKeyFileError(`${origin}: not valid YAML/JSON: ${(error as Error).message}`);
    }
    const parsed = KeyFile.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      throw new ApiKeyFileError(`${origin}: /${first.path.join('/')}: ${first.message}`);
    }
    return new StaticApiKeyStore(parsed.data.keys);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    return this.byId.get(id);
  }

  touch(id: string, at: Date): void {
    this.lastUsed.set(id, at);
  }

  lastUsedAt(id: string): Date | undefined {
    return this.lastUsed.get(id);
  }
}
