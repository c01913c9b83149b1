/**
 * The threat-intelligence files that ship with hum, relative to `libs/risk/data/`. They are real,
 * dated subsets of the official feeds (see `libs/risk/data/README.md`); the service or the CLI
 * reads them and hands their contents to {@link loadIntelSnapshot}.
 */
export const BUNDLED_INTEL_FILES = {
  kevJson: 'kev/known_exploited_vulnerabilities.json',
  epssCsv: 'epss/epss_scores-2025-08-15.csv',
} as const;
