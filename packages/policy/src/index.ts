export * from "./access/roles.ts";
export * from "./selection/index.ts";
export * from "./deid/index.ts";
