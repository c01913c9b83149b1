export interface TrivyVulnerability {
  id: string;
  pkg: string;
  installed: string;
  /** Absent: the advisory has no fixed version yet. */
  fixed?: string;
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
}

/** A Trivy filesystem scan (schema 2) of an npm lockfile; no vulnerabilities is a clean scan. */
export function trivyReport(vulns: readonly TrivyVulnerability[]): string {
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: '.',
    ArtifactType: 'filesystem',
    Results: [
      {
        Target: 'package-lock.json',
        Class: 'lang-pkgs',
        Type: 'npm',
        Vulnerabilities: vulns.map((v) => ({
          VulnerabilityID: v.id,
          PkgName: v.pkg,
          InstalledVersion: v.installed,
          ...(v.fixed !== undefined ? { FixedVersion: v.fixed } : {}),
          Severity: v.severity,
          Title: `${v.pkg}: a ${v.severity.toLowerCase()} issue`,
        })),
      },
    ],
  });
}
