import { forEachChunk } from './chunks';

describe('forEachChunk', () => {
  it('hands the items over in order, at most `size` at a time, one chunk after the other', async () => {
    const seen: number[][] = [];
    let running = 0;
    await forEachChunk([1, 2, 3, 4, 5, 6, 7], 3, async (chunk) => {
      running += 1;
      expect(running).toBe(1);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(chunk);
      running -= 1;
    });
    expect(seen).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('does not call back for no items', async () => {
    const run = jest.fn(async () => undefined);
    await forEachChunk([], 500, run);
    expect(run).not.toHaveBeenCalled();
  });
});
