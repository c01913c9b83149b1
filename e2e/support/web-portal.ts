import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type FakeGitHub, startFakeGitHub } from '@hum/testing';

const root = path.resolve(__dirname, '..', '..');

/** The sample repository behind the web-portal reports, as the fake GitHub holds it. */
export const WEB_PORTAL_REPOSITORY = 'https://github.example.test/bank/web-portal';

/** A fake GitHub with bank/web-portal (examples/web-portal's package.json) and a bot token. */
export function startWebPortalGitHub(): Promise<FakeGitHub> {
  return startFakeGitHub({
    tokens: [{ login: 'hum-bot' }],
    repositories: [
      {
        owner: 'bank',
        name: 'web-portal',
        files: {
          'package.json': readFileSync(path.join(root, 'examples/web-portal/package.json'), 'utf8'),
        },
      },
    ],
  });
}

/**
 * Writes the patcher's config for that GitHub: repositories of the `bank` owner get pull
 * requests; the token is read from PATCHER_GITHUB_TOKEN. Returns the file's path.
 */
export function writePatcherConfig(directory: string, gitHub: FakeGitHub): string {
  const file = path.join(directory, 'patcher.yaml');
  writeFileSync(
    file,
    [
      'version: 1',
      'github:',
      '  - name: github',
      `    apiUrl: ${gitHub.url}`,
      '    webUrl: https://github.example.test',
      '    token: PATCHER_GITHUB_TOKEN',
      '    owners: [bank]',
      'rules:',
      '  - when: { assetTypes: [repository] }',
      '    use: github-pr',
      '    target: github',
      '',
    ].join('\n'),
  );
  return file;
}
