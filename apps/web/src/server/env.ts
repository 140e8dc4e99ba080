import "server-only";
import { env as parseProcessEnv } from "@crossdock/config";

/** The server's validated configuration (names each missing or bad variable). */
export const env = () => parseProcessEnv();
