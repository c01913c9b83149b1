import { createHash } from 'node:crypto';
import type { PatchRequest } from './patcher';

/** A label/branch-safe rendering of a name or version. */
function slug(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .replace(/\.{2,}/g, '.')
    .slice(0, max)
    .replace(/[-.]+$/, '');
}

export function attemptDigest(attemptKey: string, length = 12): string {
  return createHash('sha256').update(attemptKey).digest('hex').slice(0, length);
}

/**
 * The branch a patch lives on, the same for every retry of one attempt (fingerprint + fix):
 * finding it again after a crash is how a second pull request is avoided.
 */
export function patchBranchName(request: Pick<PatchRequest, 'attemptKey' | 'fix'>): string {
  const name = slug(request.fix.component.split(/[/:]/).pop() ?? 'dependency', 40) || 'dependency';
  const version = slug(request.fix.toVersion, 30) || 'fix';
  return `hum-autopatch/${name}-${version}-${attemptDigest(request.attemptKey)}`;
}

export function patchTitle(request: Pick<PatchRequest, 'fix' | 'finding'>): string {
  const vulnerability = request.finding.vulnerability?.id;
  const title = `Bump ${request.fix.component} from ${request.fix.fromVersion} to ${request.fix.toVersion}`;
  return (vulnerability ? `${title} (${vulnerability})` : title).slice(0, 250);
}

export function commitMessage(request: PatchRequest, summary: readonly string[]): string {
  return [
    patchTitle(request),
    '',
    ...summary.map((line) => `- ${line}`),
    '',
    `Hum-Attempt: ${request.attemptKey}`,
  ].join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * The pull/merge request description: why hum proposes the change (tier, score and the
 * factors behind it), the advisory, the fix, what changed, and what a person must still do.
 */
export function patchExplanation(
  request: PatchRequest,
  change: { summary: readonly string[]; notes: readonly string[] },
): string {
  const { finding, fix, classification } = request;
  const lines: string[] = [
    `hum's auto-patcher proposes this change for a **${request.tier}**-tier finding (risk score ${classification.score}).`,
    '',
    `### Finding`,
    `- **${cell(finding.title)}**`,
    `- Asset: \`${finding.asset.id}\` (${finding.asset.type}${finding.asset.environment ? `, ${finding.asset.environment}` : ''})`,
    `- Reported by ${finding.tool.name}${finding.tool.version ? ` ${finding.tool.version}` : ''}, severity ${finding.severity.normalized}`,
  ];
  if (finding.vulnerability) {
    const aliases =
      finding.vulnerability.aliases.length > 0
        ? ` (${finding.vulnerability.aliases.join(', ')})`
        : '';
    lines.push(`- Advisory: ${finding.vulnerability.id}${aliases}`);
  }
  for (const reference of finding.references.slice(0, 5)) lines.push(`- ${reference}`);
  lines.push(
    '',
    '### Fix',
    `\`${fix.component}\` (${fix.ecosystem}) **${fix.fromVersion} → ${fix.toVersion}**: the lowest version the advisory lists as fixed above the installed one.`,
    '',
    ...change.summary.map((line) => `- ${line}`),
    '',
    '### Why this tier',
    '| factor | input | contribution | note |',
    '|---|---|---:|---|',
    ...classification.factors.map(
      (f) =>
        `| ${cell(f.name)} | ${cell(String(f.input))} | ${f.contribution} | ${cell(f.note ?? '')} |`,
    ),
  );
  if (change.notes.length > 0)
    lines.push('', '### Before merging', ...change.notes.map((note) => `- ${note}`));
  lines.push(
    '',
    '---',
    `Attempt \`${request.attemptKey}\` · risk policy ${classification.policyVersion} · finding \`${finding.fingerprint}\``,
  );
  return lines.join('\n').slice(0, 60_000);
}
