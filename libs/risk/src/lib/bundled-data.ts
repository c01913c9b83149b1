import path from 'node:path';

/**
 * Absolute path of a data file that ships with libs/risk (policy, intel snapshots), both from
 * the sources and from the build, which copies libs/risk/data beside the compiled code.
 */
export function bundledRiskDataPath(relative: string): string {
  return path.resolve(__dirname, '../../data', relative);
}
