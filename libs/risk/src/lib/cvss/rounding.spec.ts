import { roundHalfUpToTenth, roundUpV30, roundUpV31 } from './rounding';

describe('CVSS rounding', () => {
  it('v3.1 Roundup gives 4.0 for 4.000000000000001, the float artefact of Appendix A', () => {
    // Source: CVSS v3.1 specification, Appendix A (Floating Point Rounding).
    expect(roundUpV31(4.000000000000001)).toBe(4.0);
    expect(roundUpV31(4.02)).toBe(4.1);
    expect(roundUpV31(4.0)).toBe(4.0);
  });

  it('v3.0 Round up is the plain ceiling FIRST v3.0 calculator used, artefact included', () => {
    expect(roundUpV30(4.000000000000001)).toBe(4.1);
    expect(roundUpV30(4.02)).toBe(4.1);
    expect(roundUpV30(4.0)).toBe(4.0);
  });

  it('v4.0 final rounding lifts a tie that floating point left just below x.x5', () => {
    // 8.6 - 7.15 is 1.4499999999999993 in binary floating point; the reference rounds it to 1.5.
    expect(roundHalfUpToTenth(8.6 - 7.15, 1e-6)).toBe(1.5);
    expect(roundHalfUpToTenth(1.44, 1e-6)).toBe(1.4);
    expect(roundHalfUpToTenth(0.05, 1e-6)).toBe(0.1);
  });
});
