import type { FaultSpec } from './faults';
import type { FakeHttpServer } from './fake-http-server';
import type { RecordedRequest, RequestFilter } from './request-journal';

/**
 * What every fake offers a spec besides its own API: where it listens, the request journal,
 * fault injection, reset and close. Each fake adds its state and control methods.
 */
export abstract class FakeHandle {
  protected constructor(protected readonly server: FakeHttpServer) {}

  get url(): string {
    return this.server.url;
  }

  get controlToken(): string {
    return this.server.controlToken;
  }

  /** Bugs in the fake itself (a handler threw); specs may assert it stays empty. */
  get internalErrors(): readonly unknown[] {
    return this.server.internalErrors;
  }

  requests(filter?: RequestFilter): RecordedRequest[] {
    return this.server.requests(filter);
  }

  clearRequests(): void {
    this.server.journal.clear();
  }

  inject(spec: FaultSpec): void {
    this.server.inject(spec);
  }

  clearFaults(): void {
    this.server.clearFaults();
  }

  reset(): void {
    this.server.reset();
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}
