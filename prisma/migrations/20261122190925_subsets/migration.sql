-- CreateEnum
CREATE TYPE "MaterializationState" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "Subset" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "secretCiphertext" TEXT NOT NULL,
    "secretKeyId" TEXT NOT NULL,
    "latestVersion" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Subset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SubsetVersion" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "subsetId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "sourceAccountId" TEXT NOT NULL,
    "sourceBucket" TEXT NOT NULL,
    "prefixes" TEXT[],
    "selection" JSONB NOT NULL,
    "rules" JSONB NOT NULL,
    "passThrough" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "acknowledged" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "quasiIdentifiers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "kThreshold" INTEGER NOT NULL DEFAULT 5,
    "note" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SubsetVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SubsetMaterialization" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "subsetId" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "destAccountId" TEXT NOT NULL,
    "destBucket" TEXT NOT NULL,
    "destPrefix" TEXT NOT NULL DEFAULT '',
    "state" "MaterializationState" NOT NULL DEFAULT 'QUEUED',
    "plannedObjects" INTEGER NOT NULL DEFAULT 0,
    "plannedBytes" BIGINT NOT NULL DEFAULT 0,
    "doneObjects" INTEGER NOT NULL DEFAULT 0,
    "doneBytes" BIGINT NOT NULL DEFAULT 0,
    "skippedObjects" INTEGER NOT NULL DEFAULT 0,
    "manifestKey" TEXT,
    "manifestSha256" TEXT,
    "manifestSignature" TEXT,
    "error" TEXT,
    "errorKey" TEXT,
    "errorKind" TEXT,
    "jobRunId" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "SubsetMaterialization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SubsetOutputObject" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "materializationId" TEXT NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "sourceEtag" TEXT,
    "key" TEXT NOT NULL,
    "stagingKey" TEXT NOT NULL,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "size" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SubsetOutputObject_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Subset_organizationId_createdAt_idx" ON "Subset"("organizationId", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Subset_organizationId_name_key" ON "Subset"("organizationId", "name");

-- CreateIndex
CREATE INDEX "SubsetVersion_organizationId_idx" ON "SubsetVersion"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "SubsetVersion_subsetId_number_key" ON "SubsetVersion"("subsetId", "number");

-- CreateIndex
CREATE INDEX "SubsetMaterialization_organizationId_createdAt_idx" ON "SubsetMaterialization"("organizationId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "SubsetMaterialization_subsetId_createdAt_idx" ON "SubsetMaterialization"("subsetId", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "SubsetOutputObject_materializationId_sourceKey_key" ON "SubsetOutputObject"("materializationId", "sourceKey");

-- AddForeignKey
ALTER TABLE "Subset" ADD CONSTRAINT "Subset_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subset" ADD CONSTRAINT "Subset_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubsetVersion" ADD CONSTRAINT "SubsetVersion_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubsetVersion" ADD CONSTRAINT "SubsetVersion_subsetId_fkey" FOREIGN KEY ("subsetId") REFERENCES "Subset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubsetVersion" ADD CONSTRAINT "SubsetVersion_sourceAccountId_fkey" FOREIGN KEY ("sourceAccountId") REFERENCES "StorageAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubsetVersion" ADD CONSTRAINT "SubsetVersion_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubsetMaterialization" ADD CONSTRAINT "SubsetMaterialization_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubsetMaterialization" ADD CONSTRAINT "SubsetMaterialization_subsetId_fkey" FOREIGN KEY ("subsetId") REFERENCES "Subset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubsetMaterialization" ADD CONSTRAINT "SubsetMaterialization_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "SubsetVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubsetMaterialization" ADD CONSTRAINT "SubsetMaterialization_destAccountId_fkey" FOREIGN KEY ("destAccountId") REFERENCES "StorageAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubsetOutputObject" ADD CONSTRAINT "SubsetOutputObject_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubsetOutputObject" ADD CONSTRAINT "SubsetOutputObject_materializationId_fkey" FOREIGN KEY ("materializationId") REFERENCES "SubsetMaterialization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
