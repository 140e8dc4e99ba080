-- CreateEnum
CREATE TYPE "InventoryStatus" AS ENUM ('SCANNING', 'COMPLETE', 'FAILED');

-- CreateEnum
CREATE TYPE "InvoiceStatus" AS ENUM ('OPEN', 'FINALIZED');

-- CreateEnum
CREATE TYPE "InvoiceLineKind" AS ENUM ('USAGE', 'ALLOWANCE', 'CREDIT');

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "isOperator" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "UsageDaily" (
    "organizationId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "migrationId" TEXT NOT NULL DEFAULT '',
    "sourceProvider" TEXT NOT NULL,
    "sourceRegion" TEXT NOT NULL DEFAULT '',
    "destProvider" TEXT NOT NULL,
    "destRegion" TEXT NOT NULL DEFAULT '',
    "objects" BIGINT NOT NULL,
    "bytes" BIGINT NOT NULL,

    CONSTRAINT "UsageDaily_pkey" PRIMARY KEY ("organizationId","day","migrationId","sourceProvider","sourceRegion","destProvider","destRegion")
);

-- CreateTable
CREATE TABLE "InventorySnapshot" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "storageAccountId" TEXT NOT NULL,
    "bucket" TEXT NOT NULL,
    "provider" "StorageProvider" NOT NULL,
    "region" TEXT,
    "status" "InventoryStatus" NOT NULL DEFAULT 'SCANNING',
    "objects" BIGINT NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "bytesByClass" JSONB NOT NULL DEFAULT '{}',
    "largestPrefixes" JSONB NOT NULL DEFAULT '[]',
    "cursor" TEXT,
    "scanState" JSONB,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "InventorySnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BillingPlan" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "includedGB" INTEGER NOT NULL,
    "priceMicrosPerGB" INTEGER NOT NULL,
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BillingPlan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Invoice" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "month" TIMESTAMP(3) NOT NULL,
    "status" "InvoiceStatus" NOT NULL DEFAULT 'OPEN',
    "includedGB" INTEGER NOT NULL,
    "priceMicrosPerGB" INTEGER NOT NULL,
    "usageBytes" BIGINT NOT NULL,
    "billableBytes" BIGINT NOT NULL,
    "totalCents" BIGINT NOT NULL,
    "finalizedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InvoiceLine" (
    "id" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" "InvoiceLineKind" NOT NULL,
    "migrationId" TEXT,
    "description" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "amountCents" BIGINT NOT NULL,

    CONSTRAINT "InvoiceLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BillingCredit" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "month" TIMESTAMP(3) NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "correctsInvoiceId" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BillingCredit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InventorySnapshot_organizationId_status_completedAt_idx" ON "InventorySnapshot"("organizationId", "status", "completedAt");

-- CreateIndex
CREATE INDEX "InventorySnapshot_storageAccountId_bucket_startedAt_idx" ON "InventorySnapshot"("storageAccountId", "bucket", "startedAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "BillingPlan_organizationId_key" ON "BillingPlan"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_organizationId_month_key" ON "Invoice"("organizationId", "month");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceLine_invoiceId_position_key" ON "InvoiceLine"("invoiceId", "position");

-- CreateIndex
CREATE INDEX "BillingCredit_organizationId_month_idx" ON "BillingCredit"("organizationId", "month");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_organizationId_createdAt_idx" ON "ApiToken"("organizationId", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "InventorySnapshot" ADD CONSTRAINT "InventorySnapshot_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InventorySnapshot" ADD CONSTRAINT "InventorySnapshot_storageAccountId_fkey" FOREIGN KEY ("storageAccountId") REFERENCES "StorageAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BillingPlan" ADD CONSTRAINT "BillingPlan_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceLine" ADD CONSTRAINT "InvoiceLine_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceLine" ADD CONSTRAINT "InvoiceLine_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BillingCredit" ADD CONSTRAINT "BillingCredit_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Timestamps are stored as UTC without a zone, so "occurredAt"::date is the UTC day.
-- The ledger's daily rollup, kept in the same transaction as every ledger insert: one upsert per group per
-- statement (the migration engine inserts a batch of rows per statement), so analytics never scan the ledger.
CREATE FUNCTION "usage_daily_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "UsageDaily" ("organizationId", "day", "migrationId", "sourceProvider", "sourceRegion", "destProvider", "destRegion", "objects", "bytes")
  SELECT "organizationId", "occurredAt"::date, COALESCE("migrationId", ''), "sourceProvider", COALESCE("sourceRegion", ''),
         "destProvider", COALESCE("destRegion", ''), count(*), sum("bytes")
  FROM new_rows
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT ("organizationId", "day", "migrationId", "sourceProvider", "sourceRegion", "destProvider", "destRegion")
  DO UPDATE SET "objects" = "UsageDaily"."objects" + EXCLUDED."objects", "bytes" = "UsageDaily"."bytes" + EXCLUDED."bytes";
  RETURN NULL;
END $$;

CREATE TRIGGER "UsageRecord_rollup" AFTER INSERT ON "UsageRecord"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "usage_daily_rollup"();

-- The ledger is append-only: a changed or deleted row would silently disagree with its rollup and with invoices.
-- (Foreign-key actions are allowed: a deleted organization's rows go, a deleted migration's rows keep their bytes.)
CREATE FUNCTION "usage_record_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() > 1 THEN RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END IF;
  RAISE EXCEPTION 'The usage ledger is append-only (% refused)', TG_OP USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER "UsageRecord_append_only" BEFORE UPDATE OR DELETE ON "UsageRecord"
  FOR EACH ROW EXECUTE FUNCTION "usage_record_append_only"();

INSERT INTO "UsageDaily" ("organizationId", "day", "migrationId", "sourceProvider", "sourceRegion", "destProvider", "destRegion", "objects", "bytes")
SELECT "organizationId", "occurredAt"::date, COALESCE("migrationId", ''), "sourceProvider", COALESCE("sourceRegion", ''),
       "destProvider", COALESCE("destRegion", ''), count(*), sum("bytes")
FROM "UsageRecord" GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- A finalized invoice is immutable: no update of it, no change to its lines (corrections are credit lines on a later
-- invoice). Lines are written while the invoice is OPEN, then it is finalized, in one transaction.
CREATE FUNCTION "invoice_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN RETURN OLD; END IF;
  IF OLD."status" = 'FINALIZED' THEN
    RAISE EXCEPTION 'Invoice % is finalized and cannot change', OLD."id" USING ERRCODE = 'check_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER "Invoice_immutable" BEFORE UPDATE OR DELETE ON "Invoice"
  FOR EACH ROW EXECUTE FUNCTION "invoice_immutable"();

CREATE FUNCTION "invoice_line_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  invoice_id text := CASE WHEN TG_OP = 'INSERT' THEN NEW."invoiceId" ELSE OLD."invoiceId" END;
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN RETURN OLD; END IF;
  IF EXISTS (SELECT 1 FROM "Invoice" WHERE "id" = invoice_id AND "status" = 'FINALIZED') THEN
    RAISE EXCEPTION 'Invoice % is finalized: its lines cannot change', invoice_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER "InvoiceLine_immutable" BEFORE INSERT OR UPDATE OR DELETE ON "InvoiceLine"
  FOR EACH ROW EXECUTE FUNCTION "invoice_line_immutable"();
