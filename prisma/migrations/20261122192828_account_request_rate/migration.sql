-- AlterTable
ALTER TABLE "StorageAccount" ADD COLUMN     "requestsPerSecond" INTEGER;
