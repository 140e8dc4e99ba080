export function workerNodeArgs(env?: NodeJS.ProcessEnv): string[];
