import { router } from "../trpc";
import { authRouter } from "./auth";
import { organizationRouter } from "./organization";
import { memberRouter } from "./member";
import { invitationRouter } from "./invitation";
import { auditRouter } from "./audit";
import { jobRouter, notificationRouter } from "./job";
import { storageRouter } from "./storage";
import { migrationRouter } from "./migration";
import { enclaveRouter } from "./enclave";
import { subsetRouter } from "./subset";
import { analyticsRouter } from "./analytics";
import { billingRouter } from "./billing";
import { operatorRouter } from "./operator";

export const appRouter = router({
  auth: authRouter,
  organization: organizationRouter,
  member: memberRouter,
  invitation: invitationRouter,
  audit: auditRouter,
  job: jobRouter,
  notification: notificationRouter,
  storage: storageRouter,
  migration: migrationRouter,
  enclave: enclaveRouter,
  subset: subsetRouter,
  analytics: analyticsRouter,
  billing: billingRouter,
  operator: operatorRouter,
});

export type AppRouter = typeof appRouter;
