/**
 * CVSS v3.1 "Roundup" as Appendix A of the v3.1 specification defines it: work on an integer
 * number of hundred-thousandths so that 4.000000000000001 rounds to 4.0, not 4.1.
 */
export function roundUpV31(value: number): number {
  const hundredThousandths = Math.round(value * 100_000);
  if (hundredThousandths % 10_000 === 0) return hundredThousandths / 100_000;
  return (Math.floor(hundredThousandths / 10_000) + 1) / 10;
}

/**
 * CVSS v3.0 "Round up" (defined with the v3.0 base equations) exactly as FIRST's v3.0
 * calculator computes it, a plain ceiling on the float. It keeps the floating-point quirk that
 * v3.1 Appendix A fixed, which reproduces the scores published for v3.0 vectors.
 */
export function roundUpV30(value: number): number {
  return Math.ceil(value * 10) / 10;
}

/**
 * Round half up to one decimal place after lifting the value by `epsilon`, so that a true tie
 * that floating point left one step below (8.549999… for 8.55) still rounds up. FIRST's and
 * Red Hat's CVSS v4.0 reference implementations use an epsilon of 1e-6.
 */
export function roundHalfUpToTenth(value: number, epsilon: number): number {
  return Math.round((value + epsilon) * 10) / 10;
}
