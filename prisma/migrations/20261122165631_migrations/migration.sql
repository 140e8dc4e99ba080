-- CreateEnum
CREATE TYPE "MigrationState" AS ENUM ('PLANNING', 'COPYING', 'VERIFYING', 'SYNCING', 'READY_FOR_CUTOVER', 'COMPLETED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ShardState" AS ENUM ('PENDING', 'RUNNING', 'DONE', 'FAILED');

-- CreateEnum
CREATE TYPE "ObjectResult" AS ENUM ('COPIED', 'UNCHANGED', 'SKIPPED', 'FAILED', 'DELETED');

-- CreateTable
CREATE TABLE "Migration" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sourceAccountId" TEXT NOT NULL,
    "sourceBucket" TEXT NOT NULL,
    "sourcePrefix" TEXT NOT NULL DEFAULT '',
    "destAccountId" TEXT NOT NULL,
    "destBucket" TEXT NOT NULL,
    "destPrefix" TEXT NOT NULL DEFAULT '',
    "options" JSONB NOT NULL,
    "state" "MigrationState" NOT NULL DEFAULT 'PLANNING',
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "pass" INTEGER NOT NULL DEFAULT 0,
    "planComplete" BOOLEAN NOT NULL DEFAULT false,
    "planCursor" TEXT,
    "plannedShards" INTEGER NOT NULL DEFAULT 0,
    "plannedObjects" BIGINT NOT NULL DEFAULT 0,
    "plannedBytes" BIGINT NOT NULL DEFAULT 0,
    "cutoverRequested" BOOLEAN NOT NULL DEFAULT false,
    "lastError" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "Migration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MigrationShard" (
    "id" TEXT NOT NULL,
    "migrationId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "pass" INTEGER NOT NULL,
    "index" INTEGER NOT NULL,
    "startAfter" TEXT,
    "endKey" TEXT,
    "plannedObjects" INTEGER NOT NULL,
    "plannedBytes" BIGINT NOT NULL,
    "state" "ShardState" NOT NULL DEFAULT 'PENDING',
    "copiedObjects" INTEGER NOT NULL DEFAULT 0,
    "copiedBytes" BIGINT NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "deleted" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MigrationShard_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MigrationObject" (
    "id" TEXT NOT NULL,
    "migrationId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "sourceEtag" TEXT,
    "md5" TEXT,
    "crc32c" TEXT,
    "result" "ObjectResult" NOT NULL,
    "serverSide" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "pass" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MigrationObject_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageRecord" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "migrationId" TEXT,
    "kind" TEXT NOT NULL,
    "objectKey" TEXT NOT NULL,
    "objectVersion" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "sourceProvider" TEXT NOT NULL,
    "sourceRegion" TEXT,
    "destProvider" TEXT NOT NULL,
    "destRegion" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Migration_organizationId_createdAt_idx" ON "Migration"("organizationId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "MigrationShard_migrationId_state_idx" ON "MigrationShard"("migrationId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "MigrationShard_migrationId_pass_index_key" ON "MigrationShard"("migrationId", "pass", "index");

-- CreateIndex
CREATE INDEX "MigrationObject_migrationId_result_idx" ON "MigrationObject"("migrationId", "result");

-- CreateIndex
CREATE UNIQUE INDEX "MigrationObject_migrationId_key_key" ON "MigrationObject"("migrationId", "key");

-- CreateIndex
CREATE INDEX "UsageRecord_organizationId_occurredAt_idx" ON "UsageRecord"("organizationId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "UsageRecord_migrationId_objectKey_objectVersion_key" ON "UsageRecord"("migrationId", "objectKey", "objectVersion");

-- AddForeignKey
ALTER TABLE "Migration" ADD CONSTRAINT "Migration_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Migration" ADD CONSTRAINT "Migration_sourceAccountId_fkey" FOREIGN KEY ("sourceAccountId") REFERENCES "StorageAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Migration" ADD CONSTRAINT "Migration_destAccountId_fkey" FOREIGN KEY ("destAccountId") REFERENCES "StorageAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Migration" ADD CONSTRAINT "Migration_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MigrationShard" ADD CONSTRAINT "MigrationShard_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "Migration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MigrationObject" ADD CONSTRAINT "MigrationObject_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "Migration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageRecord" ADD CONSTRAINT "UsageRecord_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageRecord" ADD CONSTRAINT "UsageRecord_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "Migration"("id") ON DELETE SET NULL ON UPDATE CASCADE;
