import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../kafka/wait-for';
import { ServiceFleet } from './service-fleet';

// A stand-in service: says it is ready with its pid; with CRASH_ONCE it exits (3) shortly
// after its first start, leaving a marker so the restarted one stays up.
const SERVICE = `
const fs = require('node:fs');
process.on('SIGTERM', () => process.exit(0));
console.log('ready pid=' + process.pid);
if (process.env.CRASH_ONCE && !fs.existsSync(process.env.CRASH_ONCE)) {
  fs.writeFileSync(process.env.CRASH_ONCE, 'crashed');
  setTimeout(() => { console.error('giving up on purpose'); process.exit(3); }, 200);
}
setInterval(() => {}, 1000);
`;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ServiceFleet', () => {
  let dir: string;
  let entry: string;
  let fleet: ServiceFleet;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fleet-'));
    entry = path.join(dir, 'service.js');
    writeFileSync(entry, SERVICE);
    fleet = new ServiceFleet({ restartDelayMs: 50 });
  });

  afterEach(async () => {
    await fleet.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const member = (name: string, env: Record<string, string> = {}) => ({
    name,
    entry,
    env,
    readyPattern: /ready pid=(\d+)/,
  });

  it('kill() is a SIGKILL followed by a start with the same environment', async () => {
    const first = Number((await fleet.start(member('a'))).ready);

    await fleet.kill('a', 20);

    const second = Number(await fleet.ready('a'));
    expect(second).not.toBe(first);
    expect(isAlive(first)).toBe(false);
    expect(isAlive(second)).toBe(true);
    expect(fleet.counts()['a']).toEqual({
      kills: 1,
      unexpectedExits: 0,
      failedStarts: 0,
      restarts: 1,
    });
  });

  it('restarts a member that exits by itself and keeps why', async () => {
    const marker = path.join(dir, 'crashed');
    const first = Number((await fleet.start(member('b', { CRASH_ONCE: marker }))).ready);

    await waitFor(() => fleet.counts()['b']!.restarts === 1, {
      timeoutMs: 10_000,
      describe: 'the restart after the crash',
    });

    expect(existsSync(marker)).toBe(true);
    expect(Number(await fleet.ready('b'))).not.toBe(first);
    expect(fleet.counts()['b']).toMatchObject({ kills: 0, unexpectedExits: 1 });
    expect(fleet.exitNotes()['b']![0]).toMatch(
      /exited \(3\) on its own:[\s\S]*giving up on purpose/,
    );
  });

  it('stopAll() ends every member with SIGTERM and restarts none', async () => {
    await fleet.start(member('c'));
    await fleet.start(member('d'));
    const pids = [Number(await fleet.ready('c')), Number(await fleet.ready('d'))];

    const exits = await fleet.stopAll();

    expect(exits).toEqual({ c: { code: 0, signal: null }, d: { code: 0, signal: null } });
    expect(pids.filter(isAlive)).toEqual([]);
    expect(fleet.counts()['c']!.restarts).toBe(0);
  });

  it('refuses a second member of the same name', async () => {
    await fleet.start(member('e'));
    await expect(fleet.start(member('e'))).rejects.toThrow(/already in the fleet/);
  });
});
