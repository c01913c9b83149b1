/**
 * First come, first served exclusive access. PGlite is one PostgreSQL session: a second
 * caller running a query while a transaction is open would run it inside that transaction.
 */
export class ConnectionMutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves once the caller holds the lock, with the function that releases it. */
  async lock(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => released);
    await previous;
    return release;
  }
}
