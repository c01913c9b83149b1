import type { TierPolicyV1 } from '@hum/contracts';
import { defaultTierPolicy } from '../policy-snapshot';
import { pauseHandover } from './pause-handover';

function tier(version: number, paused: boolean): TierPolicyV1 {
  return { ...defaultTierPolicy('medium'), mode: 'on', version, paused, decidedBy: ['alice'] };
}

describe('pauseHandover (the breaker pause following policy.state)', () => {
  it('hands a pause over once policy.state shows it paused, and not before', () => {
    expect(pauseHandover({ handedOverAt: null }, tier(3, false))).toEqual({ action: 'none' });
    expect(pauseHandover({ handedOverAt: null }, tier(4, true))).toEqual({
      action: 'hand-over',
      version: 4,
    });
  });

  it('resumes on a newer record that clears the pause, naming who decided it', () => {
    expect(pauseHandover({ handedOverAt: 4 }, tier(5, false))).toEqual({
      action: 'resume',
      version: 5,
      decidedBy: ['alice'],
    });
  });

  it('keeps the pause while policy.state still holds it, or holds an older record', () => {
    expect(pauseHandover({ handedOverAt: 4 }, tier(4, true))).toEqual({ action: 'none' });
    expect(pauseHandover({ handedOverAt: 4 }, tier(6, true))).toEqual({ action: 'none' });
    // A record older than the hand-over (read again after a restart) cannot lift it.
    expect(pauseHandover({ handedOverAt: 4 }, tier(3, false))).toEqual({ action: 'none' });
  });

  it('never lifts a pause policy.state has not shown yet, whatever its version', () => {
    // A budget edit published before policy-admin recorded the pause says paused: false.
    expect(pauseHandover({ handedOverAt: null }, tier(99, false))).toEqual({ action: 'none' });
  });
});
