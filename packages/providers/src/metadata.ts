// Content type and user metadata carried between providers; whatever cannot travel is reported, never lost silently.
import type { ObjectMetadata, ProviderName } from "./object-store.ts";

export interface MetadataIssue {
  /** User metadata name, or a standard field such as "contentType". */
  name: string;
  action: "renamed" | "dropped";
  newName?: string;
  reason: string;
}

export interface MetadataRules {
  /** Sum of UTF-8 bytes of names and values (as sent). */
  maxTotalBytes: number;
  namePattern: RegExp;
  /** Human description of namePattern for the UI. */
  nameRule: string;
  caseInsensitive: boolean;
  /** Values travel as HTTP headers: non-ASCII is RFC 2047 encoded (and decoded back on read). */
  asciiValuesOnly: boolean;
}

const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
export const METADATA_RULES: Record<ProviderName, MetadataRules> = {
  s3: { maxTotalBytes: 2048, namePattern: HTTP_TOKEN, nameRule: "lower-case HTTP token characters", caseInsensitive: true, asciiValuesOnly: true },
  azure: { maxTotalBytes: 8192, namePattern: /^[A-Za-z_][A-Za-z0-9_]*$/, nameRule: "a C# identifier: letters, digits and '_', not starting with a digit", caseInsensitive: true, asciiValuesOnly: true },
  gcs: { maxTotalBytes: 8192, namePattern: /^[^\u0000-\u001f\u007f]+$/, nameRule: "any printable characters", caseInsensitive: false, asciiValuesOnly: false },
  local: { maxTotalBytes: 65536, namePattern: /^[^\u0000]+$/, nameRule: "any characters but NUL", caseInsensitive: false, asciiValuesOnly: false },
};

const STANDARD_FIELDS = ["contentType", "cacheControl", "contentDisposition", "contentEncoding", "contentLanguage"] as const;
const PRINTABLE_ASCII = /^[\u0020-\u007e\t]*$/;

function renameFor(name: string, provider: ProviderName): string {
  switch (provider) {
    case "s3":
      return name.toLowerCase().replace(/[^!#$%&'*+\-.^_`|~0-9a-z]/g, "-");
    case "azure": {
      const replaced = name.replace(/[^A-Za-z0-9_]/g, "_");
      return /^[0-9]/.test(replaced) ? `_${replaced}` : replaced;
    }
    default:
      return name.replace(/[\u0000-\u001f\u007f]/g, "_");
  }
}

const RFC2047 = /^=\?UTF-8\?B\?([A-Za-z0-9+/]*={0,2})\?=$/i;

export function encodeHeaderValue(value: string): string {
  if (PRINTABLE_ASCII.test(value) && !RFC2047.test(value)) return value;
  return `=?UTF-8?B?${Buffer.from(value, "utf8").toString("base64")}?=`;
}

export function decodeHeaderValue(value: string): string {
  const m = RFC2047.exec(value);
  return m ? Buffer.from(m[1]!, "base64").toString("utf8") : value;
}

export interface AdaptedMetadata {
  metadata: ObjectMetadata & { userMetadata: Record<string, string> };
  issues: MetadataIssue[];
}

/** Rewrites metadata into what `provider` accepts (names, encodings, size); lists every change. */
export function adaptMetadata(input: ObjectMetadata, provider: ProviderName): AdaptedMetadata {
  const rules = METADATA_RULES[provider];
  const issues: MetadataIssue[] = [];
  const metadata: AdaptedMetadata["metadata"] = { userMetadata: {} };
  for (const field of STANDARD_FIELDS) {
    const value = input[field];
    if (value === undefined || value === "") continue;
    if (!PRINTABLE_ASCII.test(value)) {
      issues.push({ name: field, action: "dropped", reason: `${field} must be printable ASCII to travel as an HTTP header` });
      continue;
    }
    metadata[field] = value;
  }
  const seen = new Set<string>();
  let total = 0;
  for (const [name, value] of Object.entries(input.userMetadata ?? {})) {
    let target = name;
    if (!rules.namePattern.test(name)) {
      target = renameFor(name, provider);
      if (target === "" || !rules.namePattern.test(target)) {
        issues.push({ name, action: "dropped", reason: `${provider} metadata names must be ${rules.nameRule}` });
        continue;
      }
      issues.push({ name, action: "renamed", newName: target, reason: `${provider} metadata names must be ${rules.nameRule}` });
    }
    const identity = rules.caseInsensitive ? target.toLowerCase() : target;
    if (seen.has(identity)) {
      issues.push({ name, action: "dropped", reason: `collides with another metadata name on ${provider}${rules.caseInsensitive ? " (names are case-insensitive there)" : ""}` });
      continue;
    }
    const sent = rules.asciiValuesOnly ? encodeHeaderValue(value) : value;
    const size = Buffer.byteLength(target) + Buffer.byteLength(sent);
    if (total + size > rules.maxTotalBytes) {
      issues.push({ name, action: "dropped", reason: `${provider} allows ${rules.maxTotalBytes} bytes of user metadata in total` });
      continue;
    }
    total += size;
    seen.add(identity);
    metadata.userMetadata[target] = sent;
  }
  return { metadata, issues };
}

/** Turns provider-returned user metadata back into plain values. */
export function readUserMetadata(raw: Record<string, string> | undefined, provider: ProviderName): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  const decode = METADATA_RULES[provider].asciiValuesOnly;
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || value === null) continue;
    out[name] = decode ? decodeHeaderValue(String(value)) : String(value);
  }
  return out;
}

export function pickMetadata(info: ObjectMetadata): ObjectMetadata {
  const out: ObjectMetadata = { userMetadata: { ...(info.userMetadata ?? {}) } };
  for (const field of STANDARD_FIELDS) if (info[field] !== undefined) out[field] = info[field];
  return out;
}
