-- CreateEnum
CREATE TYPE "StorageProvider" AS ENUM ('s3', 'azure', 'gcs', 'local');

-- CreateTable
CREATE TABLE "StorageAccount" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "provider" "StorageProvider" NOT NULL,
    "settings" JSONB NOT NULL,
    "secretCiphertext" TEXT,
    "secretKeyId" TEXT,
    "demoCloud" TEXT,
    "lastCheckedAt" TIMESTAMP(3),
    "lastCheckError" TEXT,
    "lastCheckKind" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StorageAccount_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StorageAccount_demoCloud_idx" ON "StorageAccount"("demoCloud");

-- CreateIndex
CREATE UNIQUE INDEX "StorageAccount_organizationId_name_key" ON "StorageAccount"("organizationId", "name");

-- AddForeignKey
ALTER TABLE "StorageAccount" ADD CONSTRAINT "StorageAccount_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StorageAccount" ADD CONSTRAINT "StorageAccount_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
