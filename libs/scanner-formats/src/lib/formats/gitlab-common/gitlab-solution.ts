import { isVersionToken } from '../../core/normalize';

// GitLab analyzers state the fix only in prose. These are the sentences they generate;
// anything else (for instance "Upgrade to the latest version") names no fixing version.
const UPGRADE_FROM_TO = /^upgrade\s+\S+\s+from\s+\S+\s+to\s+(\S+?)\.?$/i;
const UPGRADE_TO_OR_ABOVE =
  /^upgrade\s+to\s+versions?\s+(.+?)\s+(?:or|and)\s+(?:above|later|greater|newer)\.?$/i;
const VERSION_LIST_SEPARATOR = /\s*,\s*|\s+or\s+|\s+and\s+/i;

/**
 * The versions a GitLab `solution` names as fixing: "Upgrade apt from 1.4.8 to 1.4.9" → 1.4.9;
 * "Upgrade to versions 2.9.10.7, 2.10.5.1 or above." → both. Never invents one.
 */
export function fixedVersionsFromSolution(solution: string | null | undefined): string[] {
  if (!solution) return [];
  const sentence = solution.trim();
  const fromTo = UPGRADE_FROM_TO.exec(sentence);
  if (fromTo) return isVersionToken(fromTo[1]!) ? [fromTo[1]!] : [];
  const orAbove = UPGRADE_TO_OR_ABOVE.exec(sentence);
  if (!orAbove) return [];
  return [...new Set(orAbove[1]!.split(VERSION_LIST_SEPARATOR).filter(isVersionToken))].slice(
    0,
    50,
  );
}
