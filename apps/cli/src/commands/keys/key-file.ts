import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Document, isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { ApiKeyFileError, type ApiKeyRecord, StaticApiKeyStore } from '@hum/auth';
import { CliError } from '../../cli-error';
import { EXIT } from '../../exit-codes';

const NEW_FILE_MODE = 0o600;
const HEADER =
  ' API keys of the hum ingest gateway (GATEWAY_API_KEYS_FILE), written by `hum keys`.\n' +
  ' Hashes only: a token is shown once, when its key is created.';

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The key file the gateway reads, edited in place: YAML keeps its comments and layout, JSON
 * stays JSON. Every record is checked by the gateway's own loader before and after a change,
 * so `hum keys` never writes a file the gateway would refuse.
 */
export class KeyFile {
  private constructor(
    readonly path: string,
    private readonly document: Document,
    private readonly asJson: boolean,
    /** Permission bits to keep when rewriting; a new file gets 0600. */
    private readonly mode: number,
  ) {}

  static async read(file: string, options: { createIfMissing: boolean }): Promise<KeyFile> {
    const asJson = path.extname(file).toLowerCase() === '.json';
    let text: string;
    let mode = NEW_FILE_MODE;
    try {
      text = await readFile(file, 'utf8');
      mode = (await stat(file)).mode & 0o777;
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') {
        throw new CliError(
          EXIT.notFound,
          `cannot read ${file} (${errnoCode(error) ?? 'error'})`,
          [],
          {
            cause: error,
          },
        );
      }
      if (!options.createIfMissing) {
        throw new CliError(EXIT.notFound, `${file}: no such key file (hum keys create makes one)`);
      }
      const document = new Document({ keys: [] });
      if (!asJson) document.commentBefore = HEADER;
      return new KeyFile(file, document, asJson, mode);
    }
    const document = parseDocument(text);
    if (document.errors.length > 0) {
      throw new CliError(
        EXIT.config,
        `${file}: not valid YAML/JSON: ${document.errors[0]!.message.split('\n')[0]}`,
      );
    }
    // A file holding only comments is an empty key file.
    if (document.contents === null) document.set('keys', document.createNode([]));
    const keyFile = new KeyFile(file, document, asJson, mode);
    keyFile.validate();
    return keyFile;
  }

  records(): ApiKeyRecord[] {
    return (this.document.toJS() as { keys: ApiKeyRecord[] }).keys;
  }

  add(record: ApiKeyRecord): void {
    const keys = this.document.get('keys');
    if (!isSeq(keys)) throw new Error('validated key file without a keys list');
    keys.add(this.document.createNode(record));
    this.validate();
  }

  /** Marks a key revoked; false when it already was (revoking twice changes nothing). */
  revoke(id: string, at: Date): boolean {
    const entry = this.entry(id);
    if (entry.get('revokedAt') !== undefined) return false;
    entry.set('revokedAt', at.toISOString());
    this.validate();
    return true;
  }

  /**
   * Writes beside the file and renames over it, so the gateway (or a crash) never sees half a
   * file; the permission bits of the file it replaces are kept.
   */
  async save(): Promise<void> {
    const text = this.asJson
      ? `${JSON.stringify(this.document.toJS(), null, 2)}\n`
      : this.document.toString();
    const temporary = path.join(
      path.dirname(this.path),
      `.${path.basename(this.path)}.${randomBytes(4).toString('hex')}.tmp`,
    );
    try {
      const handle = await open(temporary, 'wx', this.mode);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(temporary, this.mode);
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new CliError(
        EXIT.ioError,
        `cannot write ${this.path} (${errnoCode(error) ?? 'error'})`,
        [],
        {
          cause: error,
        },
      );
    }
  }

  private entry(id: string): YAMLMap {
    const keys = this.document.get('keys');
    const entry = isSeq(keys)
      ? keys.items.find((item) => isMap(item) && item.get('id') === id)
      : undefined;
    if (!isMap(entry)) throw new CliError(EXIT.notFound, `no key with id ${id} in ${this.path}`);
    return entry;
  }

  private validate(): void {
    try {
      StaticApiKeyStore.fromText(JSON.stringify(this.document.toJS()), this.path);
    } catch (error) {
      if (error instanceof ApiKeyFileError)
        throw new CliError(EXIT.config, error.message, [], { cause: error });
      throw error;
    }
  }
}

/**
 * Serialises `hum keys` runs on one file: two creates at once would otherwise each write the
 * file without the other's key.
 */
export async function withKeyFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  try {
    const handle = await open(lock, 'wx', NEW_FILE_MODE);
    await handle.writeFile(String(process.pid));
    await handle.close();
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') {
      throw new CliError(
        EXIT.temporary,
        `${file} is being changed by another hum keys command (remove ${lock} if none is running)`,
      );
    }
    if (errnoCode(error) === 'ENOENT') {
      throw new CliError(
        EXIT.notFound,
        `${path.dirname(file)}: no such directory for the key file`,
        [],
        {
          cause: error,
        },
      );
    }
    throw new CliError(EXIT.ioError, `cannot create ${lock} (${errnoCode(error) ?? 'error'})`, [], {
      cause: error,
    });
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}
