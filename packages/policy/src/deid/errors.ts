// Errors are values with a kind the UI can explain. A reason never quotes the offending value:
// it may be PHI, and error texts end up in logs and job records.

export type DeidErrorKind =
  /** The file itself is broken (ragged row, broken quoting, invalid UTF-8, over-long line, bad JSON). */
  | "Malformed"
  /** A value a rule cannot process (e.g. a dateShift column holding something that is not an ISO date). */
  | "InvalidValue"
  /** The rules are incomplete or contradict the file (e.g. a dateShift subject column the file lacks). */
  | "InvalidRules"
  /** A whole-document input (JSON) is over the configured size. */
  | "TooLarge";

export class DeidError extends Error {
  override readonly name = "DeidError";
  constructor(
    readonly kind: DeidErrorKind,
    readonly reason: string,
    /** 1-based physical line of the input, when the problem has one. */
    readonly line?: number,
    /** Column name or JSON path the problem is in, when it has one. */
    readonly field?: string,
  ) {
    super(`${kind}${line === undefined ? "" : ` at line ${line}`}${field === undefined ? "" : ` (${field})`}: ${reason}`);
  }
}
