import {
  EXAMPLE_FINDING,
  type FindingV1,
  type GlobalPolicyV1,
  type RemediationTier,
  type TierPolicyV1,
} from '@hum/contracts';
import { defaultPolicySnapshot, type PolicySnapshot } from '../policy-snapshot';
import {
  type DecisionInput,
  decidePatch,
  gateReasons,
  NO_USAGE,
  type RemediationDecision,
} from './decide';

const NOW = new Date('2026-11-20T12:00:00.000Z');

const finding: FindingV1 = {
  ...EXAMPLE_FINDING,
  asset: { ...EXAMPLE_FINDING.asset, id: 'github.com/bank/payments-api', team: 'payments' },
  component: {
    name: 'lodash',
    version: '4.17.15',
    ecosystem: 'npm',
    fixedVersions: ['4.17.21'],
    path: 'package-lock.json',
  },
};

function policy(
  tier: Partial<TierPolicyV1> = {},
  global: Partial<GlobalPolicyV1> = {},
  loaded = true,
): PolicySnapshot {
  const base = defaultPolicySnapshot();
  return {
    loaded,
    tiers: { ...base.tiers, low: { ...base.tiers.low, mode: 'on', version: 4, ...tier } },
    global: { ...base.global, version: 2, ...global },
  };
}

function decide(overrides: Partial<DecisionInput> = {}): RemediationDecision {
  const decision = decidePatch({
    finding,
    tier: 'low',
    policy: policy(),
    usage: NO_USAGE,
    history: [],
    now: NOW,
    ...overrides,
  });
  if (decision.outcome === 'ignore') throw new Error('expected a remediation decision');
  return decision;
}

describe('decidePatch', () => {
  it('applies when every check holds, with a deterministic attempt key', () => {
    expect(decide()).toEqual({
      outcome: 'apply',
      tier: 'low',
      mode: 'on',
      attemptKey: `${finding.fingerprint}:4.17.21`,
      fix: { component: 'lodash', ecosystem: 'npm', fromVersion: '4.17.15', toVersion: '4.17.21' },
      reasons: [],
      notes: [],
      team: 'payments',
      policyVersion: 'tier:low@4+global@2',
    });
  });

  it('plans in dry-run and does nothing in off, whatever else holds', () => {
    expect(decide({ policy: policy({ mode: 'dry-run' }) })).toMatchObject({
      outcome: 'plan',
      mode: 'dry-run',
      reasons: [],
    });
    expect(decide({ policy: policy({ mode: 'off' }) })).toMatchObject({
      outcome: 'skip',
      mode: 'off',
      reasons: ['tier-off'],
    });
  });

  it('treats a policy not yet read to its end as all-off', () => {
    expect(decide({ policy: policy({ mode: 'on' }, {}, false) })).toMatchObject({
      outcome: 'skip',
      mode: 'off',
      reasons: ['policy-not-loaded'],
    });
  });

  it('stops everything on the kill switch, in dry-run too', () => {
    expect(decide({ policy: policy({}, { killSwitch: true }) }).reasons).toEqual(['kill-switch']);
    expect(decide({ policy: policy({ mode: 'dry-run' }, { killSwitch: true }) }).outcome).toBe(
      'skip',
    );
  });

  it('skips a tier paused in policy.state or by the breaker', () => {
    expect(decide({ policy: policy({ paused: true }) }).reasons).toEqual(['tier-paused']);
    const breaker = decide({ autoPaused: true });
    expect(breaker.reasons).toEqual(['tier-paused']);
    expect(breaker.notes[0]).toContain('failure-rate breaker');
  });

  it('never patches without a fixed version from the advisory', () => {
    const noFix = decide({
      finding: { ...finding, component: { ...finding.component!, fixedVersions: [] } },
    });
    expect(noFix).toMatchObject({
      outcome: 'skip',
      reasons: ['no-fix-version'],
      fix: undefined,
      attemptKey: `${finding.fingerprint}:no-fix`,
    });
    const secret = decide({ finding: { ...finding, kind: 'secret', component: undefined } });
    expect(secret.reasons).toEqual(['no-component']);
  });

  it('refuses denied assets and assets under an open freeze window, by glob', () => {
    expect(
      decide({ policy: policy({}, { denyList: ['github.com/bank/payments-*'] }) }),
    ).toMatchObject({ outcome: 'skip', reasons: ['asset-denied'] });
    const window = {
      start: '2026-11-20T00:00:00.000Z',
      end: '2026-11-21T00:00:00.000Z',
      reason: 'year-end change freeze',
      assets: ['github.com/bank/*'],
    };
    const frozen = decide({ policy: policy({}, { freezeWindows: [window] }) });
    expect(frozen.reasons).toEqual(['asset-frozen']);
    expect(frozen.notes[0]).toContain('year-end change freeze');
    // The window is half-open and only covers matching assets.
    expect(
      decide({
        policy: policy({}, { freezeWindows: [window] }),
        now: new Date('2026-11-21T00:00:00.000Z'),
      }).outcome,
    ).toBe('apply');
    expect(
      decide({
        policy: policy({}, { freezeWindows: [{ ...window, assets: ['gitlab.com/*'] }] }),
      }).outcome,
    ).toBe('apply');
    // An empty asset list freezes everything.
    expect(
      decide({ policy: policy({}, { freezeWindows: [{ ...window, assets: [] }] }) }).reasons,
    ).toEqual(['asset-frozen']);
  });

  it('never applies or attempts the same fingerprint + fix twice', () => {
    const key = `${finding.fingerprint}:4.17.21`;
    expect(decide({ history: [{ attemptKey: key, status: 'applied' }] }).reasons).toEqual([
      'already-applied',
    ]);
    for (const status of ['queued', 'running', 'failed'] as const) {
      expect(decide({ history: [{ attemptKey: key, status }] }).reasons).toEqual([
        'already-attempted',
      ]);
    }
    // A dry-run plan or a cancelled (never started) attempt is not an attempt.
    expect(decide({ history: [{ attemptKey: key, status: 'planned' }] }).outcome).toBe('apply');
    expect(decide({ history: [{ attemptKey: key, status: 'cancelled' }] }).outcome).toBe('apply');
    // Another fix for the same finding still running blocks; one that failed does not.
    const other = `${finding.fingerprint}:4.17.19`;
    expect(decide({ history: [{ attemptKey: other, status: 'running' }] }).reasons).toEqual([
      'attempt-in-flight',
    ]);
    expect(decide({ history: [{ attemptKey: other, status: 'failed' }] }).outcome).toBe('apply');
  });

  it('enforces hourly and in-flight budgets per tier and per team', () => {
    const budgets = { patchesPerHour: 5, maxInFlight: 2, perTeamPerHour: 3, perTeamInFlight: 1 };
    const idle = { tierLastHour: 0, tierInFlight: 0, teamLastHour: 0, teamInFlight: 0 };
    const with_ = (usage: Partial<DecisionInput['usage']>): RemediationDecision =>
      decide({ policy: policy({ budgets }), usage: { ...idle, ...usage } });
    expect(with_({ tierLastHour: 4, tierInFlight: 1, teamLastHour: 2 }).outcome).toBe('apply');
    expect(with_({ tierLastHour: 5 }).reasons).toEqual(['budget-tier-hourly']);
    expect(with_({ tierInFlight: 2 }).reasons).toEqual(['budget-tier-in-flight']);
    expect(with_({ tierLastHour: 3, teamLastHour: 3 }).reasons).toEqual(['budget-team-hourly']);
    // One of the team's patches still running holds its next one back, while another team
    // (usage counted per team by the caller) still has the tier's second slot.
    const teamBusy = with_({ tierInFlight: 1, teamInFlight: 1 });
    expect(teamBusy.reasons).toEqual(['budget-team-in-flight']);
    expect(teamBusy.notes).toEqual(['1 of 1 low patches of the team in flight']);
    expect(with_({ tierInFlight: 1, teamInFlight: 0 }).outcome).toBe('apply');
    // A zero budget allows nothing.
    expect(
      decide({ policy: policy({ budgets: { ...budgets, patchesPerHour: 0 } }) }).reasons,
    ).toEqual(['budget-tier-hourly']);
    expect(
      decide({ policy: policy({ budgets: { ...budgets, perTeamInFlight: 0 } }) }).reasons,
    ).toEqual(['budget-team-in-flight']);
  });

  it('without a per-team in-flight budget (records older than it), caps a team at the tier limit only', () => {
    const budgets = { patchesPerHour: 5, maxInFlight: 2, perTeamPerHour: 3 };
    const usage = { tierLastHour: 1, tierInFlight: 1, teamLastHour: 1, teamInFlight: 1 };
    expect(decide({ policy: policy({ budgets }), usage }).outcome).toBe('apply');
    // At the tier's limit only the tier's budget is named, not a team budget nobody set.
    expect(
      decide({ policy: policy({ budgets }), usage: { ...usage, tierInFlight: 2, teamInFlight: 2 } })
        .reasons,
    ).toEqual(['budget-tier-in-flight']);
  });

  it('reports every failing check in the order of the decision table', () => {
    const decision = decide({
      policy: policy(
        {
          mode: 'off',
          paused: true,
          budgets: { patchesPerHour: 1, maxInFlight: 1, perTeamPerHour: 1, perTeamInFlight: 1 },
        },
        { killSwitch: true, denyList: ['github.com/*'] },
      ),
      finding: { ...finding, component: { ...finding.component!, fixedVersions: [] } },
      usage: { tierLastHour: 99, tierInFlight: 99, teamLastHour: 99, teamInFlight: 99 },
    });
    expect(decision.reasons).toEqual([
      'kill-switch',
      'tier-off',
      'tier-paused',
      'no-fix-version',
      'asset-denied',
      'budget-tier-hourly',
      'budget-tier-in-flight',
      'budget-team-hourly',
      'budget-team-in-flight',
    ]);
    expect(decision.notes).toHaveLength(decision.reasons.length);
  });

  it('ignores tiers automation never acts on, and decides each remediation tier by its own policy', () => {
    expect(
      decidePatch({
        finding,
        tier: 'info',
        policy: policy(),
        usage: NO_USAGE,
        history: [],
        now: NOW,
      }),
    ).toEqual({ outcome: 'ignore', reason: 'tier-not-remediable' });
    const tiers: RemediationTier[] = ['critical', 'high', 'medium'];
    for (const tier of tiers) expect(decide({ tier }).reasons).toEqual(['tier-off']);
  });

  it('counts unowned assets against one shared team budget', () => {
    const unowned = decide({
      finding: { ...finding, asset: { ...finding.asset, team: undefined } },
    });
    expect(unowned.team).toBe('unowned');
  });
});

describe('gateReasons (re-checked before a patch starts)', () => {
  it('needs mode on to apply, and dry-run is enough to plan', () => {
    const dryRun = policy({ mode: 'dry-run' });
    const base = { policy: dryRun, tier: 'low' as const, assetId: 'a', now: NOW };
    expect(gateReasons({ ...base, requiredMode: 'on' }).reasons).toEqual(['tier-off']);
    expect(gateReasons({ ...base, requiredMode: 'dry-run-or-on' }).reasons).toEqual([]);
  });
});
