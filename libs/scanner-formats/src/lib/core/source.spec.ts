import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { sourceFromBuffer, sourceFromFile } from './source';
import { DETECTION_WINDOW_BYTES, type ReportSource } from './types';

async function allBytes(source: ReportSource): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source.chunks()) parts.push(chunk);
  return Buffer.concat(parts);
}

describe('report sources', () => {
  let dir: string;
  // Large enough that the detection window is a prefix and the stream has several chunks.
  const report = Buffer.from(
    JSON.stringify({
      matches: Array.from({ length: 20_000 }, (_, i) => ({ id: `CVE-2024-${i}` })),
    }),
  );
  const write = (name: string, bytes: Buffer): string => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hum-source-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file: the detection window, the size, the chunks (again and again), the text', async () => {
    const source = await sourceFromFile(write('plain.json', report));
    expect(source.head).toBe(report.subarray(0, DETECTION_WINDOW_BYTES).toString('utf8'));
    expect(source.size).toBe(report.length);
    expect((await allBytes(source)).equals(report)).toBe(true);
    expect((await allBytes(source)).equals(report)).toBe(true);
    expect(await source.text()).toBe(report.toString('utf8'));
  });

  it('decompresses a gzip file, found by its magic bytes, as it streams', async () => {
    const source = await sourceFromFile(write('report.json.gz', gzipSync(report)));
    expect(source.head).toBe(report.subarray(0, DETECTION_WINDOW_BYTES).toString('utf8'));
    expect(source.size).toBeUndefined();
    expect((await allBytes(source)).equals(report)).toBe(true);
    expect(await source.text()).toBe(report.toString('utf8'));
  });

  it('fails a corrupt gzip file instead of ending early or hanging', async () => {
    const compressed = gzipSync(report);
    const cut = Math.floor(compressed.length * 0.8);
    const corrupt = Buffer.concat([compressed.subarray(0, cut), Buffer.alloc(2000, 0x41)]);
    const source = await sourceFromFile(write('corrupt.json.gz', corrupt));
    await expect(allBytes(source)).rejects.toThrow();
  });

  it('leaves a UTF-8 byte-order mark out of the head and the text', async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": 1}')]);
    for (const source of [
      await sourceFromFile(write('bom.json', withBom)),
      await sourceFromBuffer(withBom),
    ]) {
      expect(source.head).toBe('{"a": 1}');
      expect(await source.text()).toBe('{"a": 1}');
    }
  });

  it('reads a buffer, gzip or not', async () => {
    for (const bytes of [report, gzipSync(report)]) {
      const source = await sourceFromBuffer(bytes);
      expect(source.size).toBe(report.length);
      expect((await allBytes(source)).equals(report)).toBe(true);
    }
  });
});
