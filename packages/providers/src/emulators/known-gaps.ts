// The ONE list of conformance cases an emulator (or a provider without a network) cannot run, and why.
// The conformance suite skips exactly these, by name, and prints the reason.

export type GapTarget = "local" | "azurite" | "firebase-gcs" | "s3rver" | "fauxqs";

export type ConformanceCase =
  | "create-bucket"
  | "empty-object"
  | "special-keys"
  | "list-5000"
  | "start-after"
  | "multipart-64mib"
  | "range-reads"
  | "metadata-roundtrip"
  | "server-side-copy"
  | "server-side-copy-special-keys"
  | "multipart-copy"
  | "hashes"
  | "delete"
  | "error-invalid-credentials"
  | "error-bucket-not-found"
  | "error-object-not-found"
  | "error-invalid-key"
  | "error-unreachable"
  | "error-throttled";

export interface KnownGap {
  target: GapTarget;
  case: ConformanceCase;
  reason: string;
}

export const KNOWN_GAPS: readonly KnownGap[] = [
  { target: "local", case: "error-invalid-credentials", reason: "local disk has no credentials to reject" },
  { target: "local", case: "error-unreachable", reason: "local disk has no network endpoint" },
  { target: "local", case: "error-throttled", reason: "local disk has no HTTP API to throttle" },
  {
    target: "azurite",
    case: "error-invalid-credentials",
    reason: "azurite answers a wrong key with AuthorizationFailure (Azure: AuthenticationFailed); Crossdock tells them apart by the response text, which HEAD responses lack, so headObject says AccessDenied there (listBuckets is covered by the web app's storage tests)",
  },
  { target: "firebase-gcs", case: "create-bucket", reason: "firebase storage emulator answers 501 to bucket create/get/delete (buckets appear on first write)" },
  { target: "firebase-gcs", case: "error-bucket-not-found", reason: "firebase storage emulator creates any bucket named in a request, so a bucket is never missing" },
  { target: "firebase-gcs", case: "error-invalid-credentials", reason: "firebase storage emulator does not authenticate GCS JSON API calls" },
  { target: "fauxqs", case: "error-invalid-credentials", reason: "fauxqs does not verify S3 signatures or access keys" },
  { target: "s3rver", case: "server-side-copy-special-keys", reason: "s3rver fails CopyObject for keys containing '+' or '&'" },
  { target: "s3rver", case: "multipart-copy", reason: "s3rver has no UploadPartCopy" },
];

export function gapFor(target: GapTarget, testCase: ConformanceCase): KnownGap | undefined {
  return KNOWN_GAPS.find((g) => g.target === target && g.case === testCase);
}
