import type { FindingV1 } from '@hum/contracts';
import type { EpssScore } from '../intel/epss';
import type { KevEntry } from '../intel/kev';
import type { IntelSnapshot } from '../intel/snapshot';

/** What the threat intelligence says about a finding's CVEs. */
export interface IntelAssessment {
  /** The CVE ids of the finding (its id and aliases), upper-case, once each. */
  readonly cves: readonly string[];
  /** The highest EPSS probability among them, with its CVE. */
  readonly epss: (EpssScore & { readonly cve: string }) | undefined;
  /** The first of them in CISA KEV. */
  readonly kev: KevEntry | undefined;
}

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

export function assessIntel(finding: FindingV1, intel: IntelSnapshot): IntelAssessment {
  const cves = cveIds(finding);
  let epss: IntelAssessment['epss'];
  let kev: KevEntry | undefined;
  for (const cve of cves) {
    const score = intel.epss.get(cve);
    if (score !== undefined && (epss === undefined || score.probability > epss.probability)) {
      epss = { cve, probability: score.probability, percentile: score.percentile };
    }
    kev ??= intel.kev.get(cve);
  }
  return { cves, epss, kev };
}

function cveIds(finding: FindingV1): string[] {
  const vulnerability = finding.vulnerability;
  if (vulnerability === undefined) return [];
  const ids: string[] = [];
  for (const raw of [vulnerability.id, ...vulnerability.aliases]) {
    const id = raw.trim().toUpperCase();
    if (CVE_ID.test(id) && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The vulnerability id and aliases as override patterns see them: upper-case. */
export function vulnerabilityIds(finding: FindingV1): string[] {
  const vulnerability = finding.vulnerability;
  if (vulnerability === undefined) return [];
  return [vulnerability.id, ...vulnerability.aliases].map((id) => id.toUpperCase());
}
