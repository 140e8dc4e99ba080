export { studyDataset, defaultDataset, DEMO_DATASET_VERSION, type DemoObject, type DatasetOptions } from "./dataset.ts";
export { createRandom, type Random } from "./random.ts";
export { seedStore, type SeedOptions } from "./seed.ts";
