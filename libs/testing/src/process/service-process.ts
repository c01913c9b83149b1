import { type ChildProcess, spawn } from 'node:child_process';

export interface ServiceProcessOptions {
  entry: string;
  env: Record<string, string>;
  /** Resolves once a stdout line matches; the first capture group, if any, is `ready`. */
  readyPattern: RegExp;
  timeoutMs?: number;
}

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  child: ChildProcess;
  /** The ready pattern's first capture group (e.g. the URL). */
  ready: string;
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<ServiceExit>;
  /** SIGKILL: a crash, no cleanup. */
  kill(): Promise<ServiceExit>;
  exited: Promise<ServiceExit>;
}

/**
 * Runs a built service with only the environment given (plus PATH) and waits until it says it
 * is ready; if it exits first, the error carries everything it printed.
 */
export function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [options.entry], {
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<ServiceExit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service did not become ready in time:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = options.readyPattern.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (more: Buffer) => (output += more.toString()));
        resolve({
          child,
          ready: match[1] ?? match[0],
          output: () => output,
          exited,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            return exited;
          },
          kill: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            return exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(
        new Error(`service exited (${exit.code ?? exit.signal}) before it was ready:\n${output}`),
      );
    });
  });
}
