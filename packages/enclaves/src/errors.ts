// Refusals as values with a kind the UI can explain; the web app maps kinds to HTTP/tRPC codes.
export type EnclaveErrorKind = "NotFound" | "Forbidden" | "Invalid" | "Conflict" | "Ended" | "Unavailable";

export class EnclaveError extends Error {
  constructor(
    readonly kind: EnclaveErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "EnclaveError";
  }
}

export function refuse(kind: EnclaveErrorKind, message: string): never {
  throw new EnclaveError(kind, message);
}

export const isEnclaveError = (error: unknown): error is EnclaveError => error instanceof EnclaveError;
