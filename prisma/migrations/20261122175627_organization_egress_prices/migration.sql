-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "egressPrices" JSONB;
