import { ConnectionMutex } from './connection-mutex';

describe('ConnectionMutex', () => {
  it('grants the lock to one holder at a time, in request order', async () => {
    const mutex = new ConnectionMutex();
    const events: string[] = [];
    const hold = async (name: string) => {
      const release = await mutex.lock();
      events.push(`${name} in`);
      await new Promise((resolve) => setImmediate(resolve));
      events.push(`${name} out`);
      release();
    };
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('keeps later callers waiting until the holder releases', async () => {
    const mutex = new ConnectionMutex();
    const release = await mutex.lock();
    let acquired = false;
    const next = mutex.lock().then((releaseNext) => {
      acquired = true;
      return releaseNext;
    });
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(acquired).toBe(false);
    release();
    (await next)();
    expect(acquired).toBe(true);
  });
});
