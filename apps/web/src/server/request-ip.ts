/** The client's address: the first X-Forwarded-For hop (set by Next's server or a proxy in front), else X-Real-IP. */
export function requestIp(headers: Headers | Record<string, string | string[] | undefined>): string {
  const get = (name: string) => {
    if (headers instanceof Headers) return headers.get(name);
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const forwarded = get("x-forwarded-for")?.split(",")[0]?.trim();
  const ip = forwarded || get("x-real-ip") || "unknown";
  return ip.replace(/^::ffff:/, "");
}
