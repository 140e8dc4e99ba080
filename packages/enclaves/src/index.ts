export { clock, clockFromEnv, fileOffsetClock, setTestClockOffset, systemClock, TEST_CLOCK_FLAG, TestClockRefusedError, type Clock } from "./clock.ts";
export { EnclaveError, isEnclaveError, type EnclaveErrorKind } from "./errors.ts";
export { platformSigningKey, type EnclaveActor, type EnclaveDeps } from "./deps.ts";
export { hasEnded, viewFor, NOT_FOUND } from "./access.ts";
export { accountRegion, closeEnclave, createEnclave, extendEnclave, placementPolicyOf, setPlacementPolicy, type CreateEnclaveInput } from "./lifecycle.ts";
export { acceptEnclaveInvitation, describeEnclaveInvitation, inviteOrganization, removeMember, revokeEnclaveInvitation } from "./members.ts";
export {
  contribute, deletePrefix, materializeContribution, signEnclaveManifest, verifyEnclaveManifest, ENCLAVE_MANIFEST_FORMAT, ENCLAVE_MANIFEST_NAME,
  type EnclaveManifest, type MaterializeOutcome,
} from "./contributions.ts";
export { issueDownloadLink, listEnclaveObjects, openDownload, toWebStream, MAX_LINK_SECONDS, type DownloadLink, type EnclaveObject } from "./objects.ts";
export { enclaveAuditLog, exportEnclaveAudit, verifyEnclaveAudit } from "./audit.ts";
export { enclavesDueForTeardown, teardownEnclave, TeardownIncompleteError, type TeardownOutcome } from "./teardown.ts";
export { runEnclaveJob, type EnclaveJob } from "./jobs.ts";
