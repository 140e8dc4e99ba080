// Errors of the subsets domain, with kinds the UI explains. Data errors (a malformed file, a flagged
// identifier without a rule) are final: retrying the same run cannot fix them.
import { DeidError } from "@crossdock/policy";

export type SubsetErrorKind =
  /** A matched file is broken (ragged row, broken quoting, invalid UTF-8, over-long line, bad JSON). */
  | "Malformed"
  /** A value a rule cannot process (e.g. not a date in a dateShift column). */
  | "InvalidValue"
  /** The rules do not fit a file (e.g. a dateShift subject column the file lacks). */
  | "InvalidRules"
  | "TooLarge"
  /** Identifier-looking fields have no rule and were not acknowledged. */
  | "Flagged"
  /** The subset, version or run does not exist in this organization. */
  | "NotFound"
  /** Nothing matched, or the run is in a state that does not allow this. */
  | "Invalid";

export class SubsetError extends Error {
  override readonly name = "SubsetError";
  constructor(
    readonly kind: SubsetErrorKind,
    message: string,
    /** The source object the error is about. */
    readonly key?: string,
    readonly line?: number,
  ) {
    super(message);
  }

  /** Data errors are final for a run; anything else (a provider hiccup) is worth a retry. */
  get final(): boolean {
    return this.kind !== "NotFound";
  }
}

/** A DeidError of one file as a SubsetError naming the file (never the offending value: it may be PHI). */
export function fileError(error: DeidError, key: string): SubsetError {
  const where = `${key}${error.line === undefined ? "" : `, line ${error.line}`}${error.field === undefined ? "" : `, ${error.field}`}`;
  return new SubsetError(error.kind, `${where}: ${error.reason}`, key, error.line);
}
