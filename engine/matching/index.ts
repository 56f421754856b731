/**
 * Demographic patient matching (docs/pack-language.md §13): comparators,
 * the Fellegi–Sunter scorer and its decision, substantial changes.
 */
export {
  BLOCKING_COMPONENTS,
  type BlockingComponent,
  type BlockingPass,
  blockingKeysOf,
  INDEXED_PASSES,
  passKeysOf,
  passName,
} from "./blocking.js";
export { compareDates, dateComparator } from "./comparators/date.js";
export { exact, exactComparator } from "./comparators/exact.js";
export { identifier, identifierComparator } from "./comparators/identifier.js";
export {
  jaroWinkler,
  jaroWinklerComparator,
  jaroWinklerLevel,
  type SimilarityLevels,
} from "./comparators/jaro-winkler.js";
export { nickname, nicknameComparator } from "./comparators/nickname.js";
export type { NormalizerName } from "./comparators/normalize.js";
export { phonetic, phoneticCodes, phoneticComparator } from "./comparators/phonetic.js";
export type { Comparator, Compared, Level } from "./comparators/types.js";
export {
  COMPARATORS,
  type ComparatorName,
  DEFAULT_DEMOGRAPHICS,
  DEMOGRAPHIC_FIELDS,
  type DemographicField,
  type DemographicFieldConfig,
  type DemographicsConfig,
  DemographicsConfigError,
  demographicsConfigFrom,
} from "./config.js";
export { doubleMetaphone } from "./double-metaphone.js";
export { areNicknames } from "./nicknames.js";
export {
  blockingKeysFor,
  type CompiledDemographics,
  classify,
  compileDemographics,
  type FieldScore,
  type MatchDecision,
  type PairScore,
  type ScoredCandidate,
  type SubstantialChange,
  scorePair,
  substantialChanges,
} from "./scorer.js";
export { soundex } from "./soundex.js";
