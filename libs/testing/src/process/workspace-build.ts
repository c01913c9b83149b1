import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';

export const WORKSPACE_ROOT = path.resolve(__dirname, '../../../..');

export interface WorkspaceBuild {
  dir: string;
  /** Absolute path of a built module, e.g. `apps/ingest-gateway/src/main.js`. */
  entry(relative: string): string;
  remove(): void;
}

/**
 * Builds the workspace into a private directory under tmp/ (inside the workspace, so the
 * built code resolves node_modules) for specs that run services as processes. Never touches
 * the shared dist/, which another suite may be running from.
 */
export function buildWorkspace(label: string): WorkspaceBuild {
  const dir = path.join(WORKSPACE_ROOT, 'tmp', `build-${label}-${randomUUID().slice(0, 8)}`);
  execFileSync(
    process.execPath,
    [path.join(WORKSPACE_ROOT, 'tools/scripts/build.mjs'), '--out', dir],
    {
      stdio: 'pipe',
    },
  );
  return {
    dir,
    entry: (relative) => path.join(dir, relative),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
