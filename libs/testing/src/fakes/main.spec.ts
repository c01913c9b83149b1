// Runs the standalone entry point as the quickstart does: compiled to JavaScript, as its own
// process, printing one JSON line and stopping cleanly on SIGTERM.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { transformFile } from '@swc/core';
import axios from 'axios';

const workspaceRoot = path.resolve(__dirname, '../../../..');
// The build's own swc settings, so this spec runs what `npm run build` ships.
const { swcOptions } = createRequire(__filename)(
  path.join(workspaceRoot, 'tools/scripts/swc-options.cjs'),
) as {
  swcOptions(options: { rewritePaths: boolean }): Record<string, unknown>;
};

const SOURCES = ['libs/common/src', 'libs/testing/src/fakes'];

async function* typescriptFiles(directory: string): AsyncGenerator<string> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) yield full;
  }
}

/** The shipped subset, compiled the way tools/scripts/build.mjs compiles it, into `outRoot`. */
async function compile(outRoot: string): Promise<void> {
  const options = swcOptions({ rewritePaths: true });
  for (const source of SOURCES) {
    for await (const file of typescriptFiles(path.join(workspaceRoot, source))) {
      const output = await transformFile(file, {
        ...options,
        filename: file,
        sourceFileName: file,
      });
      const target = path.join(outRoot, path.relative(workspaceRoot, file)).replace(/\.ts$/, '.js');
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, output.code);
    }
  }
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) =>
      reject(new Error(`fakes exited with ${String(code)} before printing`)),
    );
  });
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('fakes main.js', () => {
  // Under the workspace so the compiled files resolve node_modules from it.
  const outRoot = path.join(workspaceRoot, 'tmp', `fakes-main-${randomBytes(4).toString('hex')}`);
  const main = path.join(outRoot, 'libs/testing/src/fakes/main.js');
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeAll(async () => {
    await compile(outRoot);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(outRoot, { recursive: true, force: true });
  });

  function run(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
    const child = spawn(process.execPath, [main, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    children.push(child);
    return child;
  }

  it('prints URLs and credentials as JSON, serves them, and stops on SIGTERM', async () => {
    const child = run(['--only', 'jira-cloud,servicenow', '--rate-limit', '100'], {
      HUM_FAKE_JIRA_CLOUD_API_TOKEN: 'quickstart-token',
    });
    const described = JSON.parse(await firstLine(child)) as {
      jiraCloud: { url: string; email: string; apiToken: string };
      serviceNow: { url: string; username: string; password: string };
      jiraDataCenter?: unknown;
    };
    expect(described.jiraDataCenter).toBeUndefined();
    expect(described.jiraCloud.apiToken).toBe('quickstart-token');
    const created = await axios.post(
      `${described.jiraCloud.url}/rest/api/3/issue`,
      {
        fields: {
          project: { key: 'SEC' },
          issuetype: { name: 'Task' },
          summary: 'from the quickstart',
        },
      },
      { auth: { username: described.jiraCloud.email, password: described.jiraCloud.apiToken } },
    );
    expect(created.data.key).toBe('SEC-1');
    const page = await axios.get(`${described.jiraCloud.url}/`, {
      auth: { username: described.jiraCloud.email, password: described.jiraCloud.apiToken },
    });
    expect(page.data).toContain('from the quickstart');
    const incidents = await axios.get(`${described.serviceNow.url}/api/now/table/incident`, {
      auth: { username: described.serviceNow.username, password: described.serviceNow.password },
    });
    expect(incidents.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('explains bad arguments and exits with 2', async () => {
    const child = run(['--only', 'jira-server']);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    expect(await exitCode(child)).toBe(2);
    expect(stderr).toContain('unknown fake(s) jira-server');
    expect(stderr).toContain('Usage:');
  });
});
