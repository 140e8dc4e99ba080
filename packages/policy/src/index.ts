export * from "./access/roles.ts";
export * from "./selection/index.ts";
export * from "./deid/index.ts";
export * from "./placement/placement.ts";
export * from "./access/enclave-roles.ts";
