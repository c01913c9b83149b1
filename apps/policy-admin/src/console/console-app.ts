import { browserMain } from './browser-main';

/**
 * The console script: `browserMain`'s own source, run once. Serving the compiled function
 * keeps one typed, linted source and needs no bundler or build step at run time.
 */
export function consoleScript(): string {
  return `"use strict";\n(${browserMain.toString()})();\n`;
}
