import { setTimeout as sleep } from 'node:timers/promises';
import { type ServiceExit, type ServiceProcess, startServiceProcess } from './service-process';

export interface FleetMember {
  name: string;
  entry: string;
  /** Fixed for the member's life: a restarted service comes back with the same settings. */
  env: Record<string, string>;
  readyPattern: RegExp;
  /** Bound on one start attempt (until the ready line). */
  startTimeoutMs?: number;
}

export interface FleetCounts {
  /** SIGKILLs the test asked for. */
  kills: number;
  /** Exits nobody asked for (e.g. a service giving up on an unreachable broker). */
  unexpectedExits: number;
  /** Start attempts that ended before the ready line (retried, bounded). */
  failedStarts: number;
  /** Starts after the first one. */
  restarts: number;
}

interface Running {
  member: FleetMember;
  process: ServiceProcess | undefined;
  /** Set while the fleet itself stops or kills the process, so its exit is not a crash. */
  expectingExit: boolean;
  starting: Promise<ServiceProcess> | undefined;
  counts: FleetCounts;
  exitNotes: string[];
}

const OUTPUT_TAIL = 1_500;

/**
 * Services as separate processes under a supervisor that restarts whatever exits, the way an
 * orchestrator with `restart: always` does: fault tests kill members at will and the fleet
 * brings them back with the same environment; exits nobody asked for are counted and kept
 * (with the tail of their output) for the report.
 */
export class ServiceFleet {
  private readonly members = new Map<string, Running>();
  private closing = false;

  constructor(
    private readonly options: {
      /** Pause before restarting a member that exited by itself. */
      restartDelayMs?: number;
      /** Give up restarting a member after this long without a successful start. */
      restartWindowMs?: number;
      log?: (line: string) => void;
    } = {},
  ) {}

  /** Starts a member and waits until it is ready. */
  async start(member: FleetMember): Promise<ServiceProcess> {
    if (this.members.has(member.name)) throw new Error(`${member.name} is already in the fleet`);
    const running: Running = {
      member,
      process: undefined,
      expectingExit: false,
      starting: undefined,
      counts: { kills: 0, unexpectedExits: 0, failedStarts: 0, restarts: 0 },
      exitNotes: [],
    };
    this.members.set(member.name, running);
    return this.launch(running, false);
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  /** The member's ready capture (its URL), once it is up again if it is restarting. */
  async ready(name: string): Promise<string> {
    const running = this.member(name);
    const process = running.process ?? (await running.starting);
    if (!process) throw new Error(`${name} is not running`);
    return process.ready;
  }

  /** SIGKILL, no cleanup; after `downMs` the member is started again and awaited. */
  async kill(name: string, downMs = 0): Promise<void> {
    const running = this.member(name);
    if (running.starting) await running.starting.catch(() => undefined);
    const process = running.process;
    if (!process) return;
    running.expectingExit = true;
    running.counts.kills += 1;
    await process.kill();
    running.process = undefined;
    running.expectingExit = false;
    if (downMs > 0) await sleep(downMs);
    await this.launch(running, true);
  }

  counts(): Record<string, FleetCounts> {
    return Object.fromEntries([...this.members].map(([name, r]) => [name, { ...r.counts }]));
  }

  /** Why members exited on their own, with the tail of what they printed. */
  exitNotes(): Record<string, string[]> {
    return Object.fromEntries(
      [...this.members]
        .filter(([, r]) => r.exitNotes.length > 0)
        .map(([name, r]) => [name, [...r.exitNotes]]),
    );
  }

  output(name: string): string {
    return this.member(name).process?.output() ?? '';
  }

  /** SIGTERM every member and wait: the exit of each, for the caller to check. */
  async stopAll(): Promise<Record<string, ServiceExit>> {
    this.closing = true;
    const exits: Record<string, ServiceExit> = {};
    await Promise.all(
      [...this.members].map(async ([name, running]) => {
        if (running.starting) await running.starting.catch(() => undefined);
        const process = running.process;
        if (!process) return;
        running.expectingExit = true;
        exits[name] = await process.stop();
      }),
    );
    return exits;
  }

  private member(name: string): Running {
    const running = this.members.get(name);
    if (!running) throw new Error(`${name} is not in the fleet`);
    return running;
  }

  private launch(running: Running, restart: boolean): Promise<ServiceProcess> {
    const { member } = running;
    const deadline = Date.now() + (this.options.restartWindowMs ?? 180_000);
    const attempt = async (): Promise<ServiceProcess> => {
      for (;;) {
        try {
          return await startServiceProcess({
            entry: member.entry,
            env: member.env,
            readyPattern: member.readyPattern,
            timeoutMs: member.startTimeoutMs ?? 120_000,
          });
        } catch (error) {
          // A start during an outage (the broker restarting) may fail: try again, bounded.
          if (this.closing || Date.now() > deadline) throw error;
          running.counts.failedStarts += 1;
          running.exitNotes.push(`start failed: ${tail(String(error))}`);
          await sleep(this.options.restartDelayMs ?? 1_000);
        }
      }
    };
    const starting = attempt().then((process) => {
      if (restart) running.counts.restarts += 1;
      running.process = process;
      running.starting = undefined;
      this.watch(running, process);
      return process;
    });
    running.starting = starting;
    starting.catch(() => (running.starting = undefined));
    return starting;
  }

  private watch(running: Running, process: ServiceProcess): void {
    void process.exited.then(async (exit) => {
      if (running.expectingExit || this.closing || running.process !== process) return;
      running.process = undefined;
      running.counts.unexpectedExits += 1;
      running.exitNotes.push(
        `exited (${exit.code ?? exit.signal}) on its own:\n${tail(process.output())}`,
      );
      this.options.log?.(`${running.member.name} exited (${exit.code ?? exit.signal}); restarting`);
      await sleep(this.options.restartDelayMs ?? 1_000);
      if (!this.closing) await this.launch(running, true).catch(() => undefined);
    });
  }
}

function tail(text: string): string {
  return text.length > OUTPUT_TAIL ? `...${text.slice(-OUTPUT_TAIL)}` : text;
}
