export { DeidError, type DeidErrorKind } from "./errors.ts";
export {
  validateRules,
  redactCategories,
  defaultPseudonym,
  defaultMaxShiftDays,
  type DeidRules,
  type DeidOptions,
  type FieldRule,
  type FieldAction,
  type DefaultAction,
  type TabularRules,
  type JsonRules,
  type VcfRules,
  type KeyRules,
  type PseudonymFormat,
  type RedactCategory,
  type RuleProblem,
} from "./rules.ts";
export { createRedactor, type Redactor, type RedactorOptions } from "./redact.ts";
export { restrictedZip3, shiftIsoDate, daysBetween, generalizeYear, generalizeAge, generalizeZip } from "./values.ts";
export { transformDelimited, readDelimited, readDelimitedRows, type DelimitedOptions, type DelimitedFormat } from "./delimited.ts";
export { transformJson, transformNdjson, type JsonOptions } from "./json.ts";
export { transformVcf, type VcfOptions } from "./vcf.ts";
export { pseudonymizeKey, keyPseudonymizer, filterMetadata } from "./keys.ts";
export { safeHarborCategories, type SafeHarborCategory } from "./categories.ts";
export { detectIdentifiers, detectJsonIdentifiers, type DetectedField, type CategoryEvidence } from "./detect.ts";
export { safeHarborReport, type SafeHarborReport, type CategoryReport, type BlockingField, type Coverage } from "./safe-harbor.ts";
export { kAnonymity, type KAnonymityResult } from "./k-anonymity.ts";
export { previewTransform, type Preview, type PreviewOptions, type PreviewKind } from "./preview.ts";
export type { DeidInput } from "./lines.ts";
