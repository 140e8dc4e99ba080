export const formatDate = (d: Date | string) => new Date(d).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";

/** Binary units (KiB, MiB...), as storage tools show sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const providerLabel: Record<string, string> = { s3: "S3-compatible", azure: "Azure Blob", gcs: "Google Cloud Storage", local: "Crossdock disk" };

export const stateLabel = (state: string, paused = false) => (paused ? "paused" : state.toLowerCase().replaceAll("_", " "));
