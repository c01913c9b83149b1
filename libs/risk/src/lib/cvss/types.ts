import type { CvssSeverity } from './severity';

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

interface CvssResultCommon {
  /** The vector as it was given, without surrounding whitespace. */
  readonly vector: string;
  /** Computed from the base metrics of the vector only, one decimal place, 0.0-10.0. */
  readonly baseScore: number;
  readonly baseSeverity: CvssSeverity;
  /** Every metric the vector carried, as written (temporal and environmental ones included). */
  readonly metrics: Readonly<Record<string, string>>;
}

export interface Cvss2Result extends CvssResultCommon {
  readonly version: '2.0';
}

export interface Cvss3Result extends CvssResultCommon {
  readonly version: '3.0' | '3.1';
}

/** Which metric groups a CVSS v4.0 score reflects (v4.0 specification §1.3). */
export type Cvss4Nomenclature = 'CVSS-B' | 'CVSS-BT' | 'CVSS-BE' | 'CVSS-BTE';

export interface Cvss4Result extends CvssResultCommon {
  readonly version: '4.0';
  /** The score of every metric the vector carried: equal to `baseScore` for a CVSS-B vector. */
  readonly score: number;
  readonly severity: CvssSeverity;
  readonly nomenclature: Cvss4Nomenclature;
}

export type CvssResult = Cvss2Result | Cvss3Result | Cvss4Result;
