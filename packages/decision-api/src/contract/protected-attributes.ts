/**
 * A special category of personal data that the bank may not target offers on: GDPR art. 9 (the Danish Data Protection
 * Act § 7 applies it), and the Danish Financial Supervisory Authority's rules on fair treatment of customers.
 */
export interface ProtectedCategory {
  readonly category: string;
  readonly description: string;
  /**
   * Words that name the category in an attribute name, lower case, in English and Danish. A term of five letters or
   * more matches anywhere in the name (Danish joins words: `helbredsoplysninger`); a shorter one only at the start of
   * a word, so `race` does not match `trace`.
   */
  readonly terms: { readonly en: readonly string[]; readonly da: readonly string[] };
}

export const PROTECTED_ATTRIBUTES: readonly ProtectedCategory[] = [
  {
    category: 'health',
    description: 'health data',
    terms: {
      en: ['health', 'medical', 'diagnos', 'illness', 'disabilit', 'disabled', 'pregnan'],
      da: ['helbred', 'sundhed', 'sygdom', 'handicap', 'gravid'],
    },
  },
  {
    category: 'racial-or-ethnic-origin',
    description: 'racial or ethnic origin',
    terms: { en: ['race', 'racial', 'ethnic'], da: ['etnisk', 'etnicitet', 'racemæssig'] },
  },
  {
    category: 'religion-or-belief',
    description: 'religious or philosophical beliefs',
    terms: {
      en: ['religi', 'belief', 'faith', 'church'],
      da: ['religiøs', 'trosretning', 'trossamfund', 'livssyn', 'kirke'],
    },
  },
  {
    category: 'political-opinion',
    description: 'political opinions',
    terms: { en: ['politic'], da: ['politisk', 'partipolitik', 'partitilhør'] },
  },
  {
    category: 'trade-union-membership',
    description: 'trade-union membership',
    terms: { en: ['union'], da: ['fagforening', 'fagforbund'] },
  },
  {
    category: 'sex-life-or-sexual-orientation',
    description: 'sex life or sexual orientation',
    terms: {
      en: ['sexual', 'sex life', 'homosex', 'lgbt'],
      da: ['seksuel', 'seksualitet', 'sexliv', 'homoseks'],
    },
  },
  {
    category: 'genetic-data',
    description: 'genetic data',
    terms: { en: ['genetic', 'genome', 'dna'], da: ['genetisk', 'arvelig'] },
  },
  {
    category: 'biometric-data',
    description: 'biometric data',
    terms: { en: ['biometri', 'fingerprint', 'face print', 'facial'], da: ['fingeraftryk', 'ansigtsgenkendelse'] },
  },
];

/** Words of a name, lower case: `sexualOrientation`, `sexual_orientation` and `Sexual orientation` alike. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-zæøå0-9])([A-ZÆØÅ])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-zæøå0-9]+/)
    .filter((word) => word !== '');
}

const MATCH_ANYWHERE_FROM = 5;

/** The protected category an attribute name refers to, if any. */
export function protectedCategoryOf(name: string): ProtectedCategory | undefined {
  const words = wordsOf(name);
  const joined = words.join('');
  return PROTECTED_ATTRIBUTES.find(({ terms }) =>
    [...terms.en, ...terms.da].some((term) => {
      const compact = wordsOf(term).join('');
      return compact.length >= MATCH_ANYWHERE_FROM
        ? joined.includes(compact)
        : words.some((word) => word.startsWith(compact));
    }),
  );
}
