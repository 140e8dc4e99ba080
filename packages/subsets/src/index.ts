export * from "./definition.ts";
export { SubsetError, fileError, type SubsetErrorKind } from "./errors.ts";
export { newSubsetSecret, sealSubsetSecret, openSubsetSecret } from "./secret.ts";
export { matchingObjects, countMatching, type MatchedObject, type MatchCount } from "./listing.ts";
export { transformObject, contentTypes } from "./transform.ts";
export { reviewSubset, detectFile, sampleRecords, fieldId, type SubsetReview, type FileSample } from "./review.ts";
export { createSubset, createVersion, latestVersion } from "./subsets.ts";
export {
  manifestSigningKeys, signManifest, verifyManifest, manifestKeyFor, canonicalBody, MANIFEST_FORMAT,
  type ManifestBody, type ManifestObject, type ManifestSignature, type SignedManifest, type SigningKeys,
} from "./manifest.ts";
export { materializeSubset, type MaterializeOptions, type MaterializeResult, type MaterializeProgress, type MaterializeDestination } from "./materialize.ts";
export { previewObject, privacyReport, type FilePreview, type PrivacyReport } from "./preview.ts";
