-- CreateEnum
CREATE TYPE "EnclaveState" AS ENUM ('ACTIVE', 'ENDED', 'TORN_DOWN');

-- CreateEnum
CREATE TYPE "EnclaveRole" AS ENUM ('CONTRIBUTOR', 'ANALYST', 'OBSERVER');

-- CreateEnum
CREATE TYPE "ContributionState" AS ENUM ('QUEUED', 'MATERIALIZING', 'READY', 'FAILED', 'DELETED');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "enclavePolicy" JSONB;

-- CreateTable
CREATE TABLE "Enclave" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "placementAccountId" TEXT NOT NULL,
    "placementBucket" TEXT NOT NULL,
    "placementPrefix" TEXT NOT NULL,
    "state" "EnclaveState" NOT NULL DEFAULT 'ACTIVE',
    "closedAt" TIMESTAMP(3),
    "tornDownAt" TIMESTAMP(3),
    "teardownReport" JSONB,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Enclave_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnclaveMember" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "enclaveId" TEXT NOT NULL,
    "memberOrganizationId" TEXT NOT NULL,
    "role" "EnclaveRole" NOT NULL,
    "joinedById" TEXT,
    "joinedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" TIMESTAMP(3),

    CONSTRAINT "EnclaveMember_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnclaveInvitation" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "enclaveId" TEXT NOT NULL,
    "role" "EnclaveRole" NOT NULL,
    "note" TEXT,
    "tokenHash" TEXT NOT NULL,
    "createdById" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "acceptedAt" TIMESTAMP(3),
    "acceptedByOrganizationId" TEXT,
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EnclaveInvitation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnclaveContribution" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "enclaveId" TEXT NOT NULL,
    "contributorOrganizationId" TEXT NOT NULL,
    "subsetId" TEXT NOT NULL,
    "subsetVersionId" TEXT NOT NULL,
    "subsetName" TEXT NOT NULL,
    "subsetVersion" INTEGER NOT NULL,
    "prefix" TEXT NOT NULL,
    "state" "ContributionState" NOT NULL DEFAULT 'QUEUED',
    "objectCount" INTEGER NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "manifest" JSONB,
    "manifestSignature" TEXT,
    "error" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "EnclaveContribution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnclaveAuditEntry" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "enclaveId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actorUserId" TEXT,
    "actorOrganizationId" TEXT,
    "action" TEXT NOT NULL,
    "details" JSONB NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "EnclaveAuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Enclave_state_endsAt_idx" ON "Enclave"("state", "endsAt");

-- CreateIndex
CREATE UNIQUE INDEX "Enclave_organizationId_name_key" ON "Enclave"("organizationId", "name");

-- CreateIndex
CREATE INDEX "EnclaveMember_memberOrganizationId_idx" ON "EnclaveMember"("memberOrganizationId");

-- CreateIndex
CREATE UNIQUE INDEX "EnclaveMember_enclaveId_memberOrganizationId_key" ON "EnclaveMember"("enclaveId", "memberOrganizationId");

-- CreateIndex
CREATE UNIQUE INDEX "EnclaveInvitation_tokenHash_key" ON "EnclaveInvitation"("tokenHash");

-- CreateIndex
CREATE INDEX "EnclaveInvitation_enclaveId_createdAt_idx" ON "EnclaveInvitation"("enclaveId", "createdAt");

-- CreateIndex
CREATE INDEX "EnclaveContribution_enclaveId_createdAt_idx" ON "EnclaveContribution"("enclaveId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "EnclaveAuditEntry_enclaveId_seq_key" ON "EnclaveAuditEntry"("enclaveId", "seq");

-- AddForeignKey
ALTER TABLE "Enclave" ADD CONSTRAINT "Enclave_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enclave" ADD CONSTRAINT "Enclave_placementAccountId_fkey" FOREIGN KEY ("placementAccountId") REFERENCES "StorageAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enclave" ADD CONSTRAINT "Enclave_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnclaveMember" ADD CONSTRAINT "EnclaveMember_enclaveId_fkey" FOREIGN KEY ("enclaveId") REFERENCES "Enclave"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnclaveInvitation" ADD CONSTRAINT "EnclaveInvitation_enclaveId_fkey" FOREIGN KEY ("enclaveId") REFERENCES "Enclave"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnclaveContribution" ADD CONSTRAINT "EnclaveContribution_enclaveId_fkey" FOREIGN KEY ("enclaveId") REFERENCES "Enclave"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnclaveAuditEntry" ADD CONSTRAINT "EnclaveAuditEntry_enclaveId_fkey" FOREIGN KEY ("enclaveId") REFERENCES "Enclave"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The enclave audit log is append-only: the database itself refuses to change or remove an entry.
CREATE FUNCTION enclave_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'EnclaveAuditEntry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "EnclaveAuditEntry_append_only"
  BEFORE UPDATE OR DELETE ON "EnclaveAuditEntry"
  FOR EACH ROW EXECUTE FUNCTION enclave_audit_append_only();

CREATE TRIGGER "EnclaveAuditEntry_no_truncate"
  BEFORE TRUNCATE ON "EnclaveAuditEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION enclave_audit_append_only();
