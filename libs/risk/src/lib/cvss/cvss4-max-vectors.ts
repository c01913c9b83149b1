/**
 * Data of the CVSS v4.0 scoring algorithm besides the MacroVector scores, transcribed from the
 * reference implementation (FIRST / Red Hat `max_composed.js` and `max_severity.js`). Arrays are
 * indexed by equivalence-class level.
 */

type Partials = readonly string[];

/**
 * The highest-severity vectors of each equivalence-class level, as partial vectors. EQ3 and EQ6
 * are scored together, so the EQ3 entry is indexed by the EQ6 level as well.
 */
export const CVSS4_MAX_COMPOSED: {
  readonly eq1: readonly Partials[];
  readonly eq2: readonly Partials[];
  readonly eq3eq6: readonly (readonly Partials[])[];
  readonly eq4: readonly Partials[];
  readonly eq5: readonly Partials[];
} = {
  eq1: [
    ['AV:N/PR:N/UI:N/'],
    ['AV:A/PR:N/UI:N/', 'AV:N/PR:L/UI:N/', 'AV:N/PR:N/UI:P/'],
    ['AV:P/PR:N/UI:N/', 'AV:A/PR:L/UI:P/'],
  ],
  eq2: [['AC:L/AT:N/'], ['AC:H/AT:N/', 'AC:L/AT:P/']],
  eq3eq6: [
    [
      ['VC:H/VI:H/VA:H/CR:H/IR:H/AR:H/'],
      ['VC:H/VI:H/VA:L/CR:M/IR:M/AR:H/', 'VC:H/VI:H/VA:H/CR:M/IR:M/AR:M/'],
    ],
    [
      ['VC:L/VI:H/VA:H/CR:H/IR:H/AR:H/', 'VC:H/VI:L/VA:H/CR:H/IR:H/AR:H/'],
      [
        'VC:L/VI:H/VA:L/CR:H/IR:M/AR:H/',
        'VC:L/VI:H/VA:H/CR:H/IR:M/AR:M/',
        'VC:H/VI:L/VA:H/CR:M/IR:H/AR:M/',
        'VC:H/VI:L/VA:L/CR:M/IR:H/AR:H/',
        'VC:L/VI:L/VA:H/CR:H/IR:H/AR:M/',
      ],
    ],
    // EQ3=2 with EQ6=0 cannot occur: EQ6=0 needs a High impact, EQ3=2 has none.
    [[], ['VC:L/VI:L/VA:L/CR:H/IR:H/AR:H/']],
  ],
  eq4: [['SC:H/SI:S/SA:S/'], ['SC:H/SI:H/SA:H/'], ['SC:L/SI:L/SA:L/']],
  eq5: [['E:A/'], ['E:P/'], ['E:U/']],
};

/**
 * The depth of each MacroVector: the largest severity distance (in steps of 0.1) between its
 * highest-severity vector and any vector inside it, plus one. EQ5 has none: its proportion is 0.
 */
export const CVSS4_MAX_SEVERITY: {
  readonly eq1: readonly number[];
  readonly eq2: readonly number[];
  readonly eq3eq6: readonly (readonly (number | undefined)[])[];
  readonly eq4: readonly number[];
} = {
  eq1: [1, 4, 5],
  eq2: [1, 2],
  eq3eq6: [
    [7, 6],
    [8, 8],
    [undefined, 10],
  ],
  eq4: [6, 5, 4],
};
