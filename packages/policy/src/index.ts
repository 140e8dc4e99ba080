export * from "./access/roles.ts";
export * from "./selection/index.ts";
