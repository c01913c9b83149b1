/**
 * The default risk policy that ships with hum, relative to `libs/risk/data/`: the service reads
 * it unless configured with another file, and hands its text to `parseRiskPolicy`.
 * Its values and the reasons for them are in docs/risk.md.
 */
export const BUNDLED_RISK_POLICY_FILE = 'policy/risk-policy.yaml';
