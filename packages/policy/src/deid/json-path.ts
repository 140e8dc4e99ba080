// A small JSON path subset: `$`, `.key`, `["key"]` / `['key']`, `[3]`, `[*]` and `.*`.
// No filters or recursive descent: rules must say exactly which fields they touch.

export type PathSegment = { key: string } | { index: number } | "*";
export type ConcretePath = readonly (string | number)[];

export function parseJsonPath(path: string): PathSegment[] | Error {
  if (!path.startsWith("$")) return new Error(`JSON path ${JSON.stringify(path)} must start with "$"`);
  const segments: PathSegment[] = [];
  let i = 1;
  const fail = (why: string) => new Error(`JSON path ${JSON.stringify(path)}: ${why}`);
  while (i < path.length) {
    const ch = path[i];
    if (ch === ".") {
      i++;
      if (path[i] === "*") {
        segments.push("*");
        i++;
        continue;
      }
      const m = /^[^.[\]\s]+/.exec(path.slice(i));
      if (!m) return fail(`expected a key name at ${i}`);
      segments.push({ key: m[0] });
      i += m[0].length;
    } else if (ch === "[") {
      const rest = path.slice(i);
      const star = /^\[\*\]/.exec(rest);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\]/.exec(rest);
      if (star) {
        segments.push("*");
        i += star[0].length;
      } else if (index) {
        segments.push({ index: Number(index[1]) });
        i += index[0].length;
      } else if (quoted) {
        segments.push({ key: (quoted[1] ?? quoted[2] ?? "").replace(/\\(.)/g, "$1") });
        i += quoted[0].length;
      } else return fail(`unreadable bracket at ${i}`);
    } else return fail(`unexpected ${JSON.stringify(ch)} at ${i}`);
  }
  return segments;
}

export function matchesPath(pattern: readonly PathSegment[], path: ConcretePath): boolean {
  if (pattern.length !== path.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i]!;
    const at = path[i]!;
    if (seg === "*") continue;
    if ("key" in seg ? seg.key !== at : seg.index !== at) return false;
  }
  return true;
}

/** The values at `pattern` under `root` (wildcards fan out). */
export function valuesAt(root: unknown, pattern: readonly PathSegment[]): unknown[] {
  let nodes: unknown[] = [root];
  for (const seg of pattern) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (typeof node !== "object" || node === null) continue;
      if (seg === "*") next.push(...(Array.isArray(node) ? node : Object.values(node)));
      else if ("key" in seg) {
        if (!Array.isArray(node) && Object.hasOwn(node, seg.key)) next.push((node as Record<string, unknown>)[seg.key]);
      } else if (Array.isArray(node) && seg.index < node.length) next.push(node[seg.index]);
    }
    nodes = next;
  }
  return nodes;
}

/** `$.a[*].b` style text for a concrete path, with array indexes generalized to [*] (for the detector). */
export function formatPath(path: ConcretePath, generalizeIndexes = true): string {
  let out = "$";
  for (const seg of path) {
    if (typeof seg === "number") out += generalizeIndexes ? "[*]" : `[${seg}]`;
    else out += /^[A-Za-z_$][\w$-]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  }
  return out;
}
