// Glob patterns over object keys, compiled once to a RegExp (no dependency: policy stays pure).
//   *        any characters except '/'
//   **       any characters including '/'; as a whole segment ("a/**/b") also zero segments
//   ?        one character except '/'
//   [abc] [a-z] [!a-c] [^a-c]   one character of (or not of) a set, never '/'
//   {a,b}    alternatives, which may hold globs and nest
//   \x       the character x literally
// A pattern with no '/' matches the last path segment at any depth ("*.jpg" selects "photos/2024/a.jpg");
// a pattern with a '/' is anchored at the root of the keys it is matched against (a leading '/' is optional),
// the way .gitignore reads patterns.

export class GlobSyntaxError extends Error {
  override readonly name = "GlobSyntaxError";
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(`Invalid pattern ${JSON.stringify(pattern)}: ${reason}`);
  }
}

// Characters with a meaning in a unicode-mode RegExp, outside and inside a class.
const RE_SPECIAL = /[\^$\\.*+?()[\]{}|/]/;
const CLASS_SPECIAL = /[\\\]\[^-]/;

function literal(ch: string): string {
  return RE_SPECIAL.test(ch) ? `\\${ch}` : ch;
}

function classLiteral(ch: string): string {
  return CLASS_SPECIAL.test(ch) ? `\\${ch}` : ch;
}

/** The RegExp source for `pattern` (unanchored); throws GlobSyntaxError. */
function translate(pattern: string, chars: string[]): string {
  let i = 0;

  const charClass = (): string => {
    // chars[i] is '['
    i++;
    let negated = false;
    if (chars[i] === "!" || chars[i] === "^") {
      negated = true;
      i++;
    }
    const items: string[] = [];
    let first = true;
    while (i < chars.length && (chars[i] !== "]" || first)) {
      first = false;
      let ch = chars[i]!;
      if (ch === "\\") {
        if (i + 1 >= chars.length) throw new GlobSyntaxError(pattern, "it ends with a lone '\\'");
        ch = chars[++i]!;
      }
      i++;
      if (chars[i] === "-" && i + 1 < chars.length && chars[i + 1] !== "]") {
        let end = chars[i + 1]!;
        i += 2;
        if (end === "\\") {
          if (i >= chars.length) throw new GlobSyntaxError(pattern, "it ends with a lone '\\'");
          end = chars[i++]!;
        }
        if (end.codePointAt(0)! < ch.codePointAt(0)!) throw new GlobSyntaxError(pattern, `range ${ch}-${end} is backwards`);
        items.push(`${classLiteral(ch)}-${classLiteral(end)}`);
      } else if (ch !== "/") {
        // A set never matches '/': that would let one segment's glob cross into the next.
        items.push(classLiteral(ch));
      }
    }
    if (i >= chars.length) throw new GlobSyntaxError(pattern, "a '[' is never closed");
    i++; // ']'
    if (negated) return `[^/${items.join("")}]`;
    if (items.length === 0) return "(?!)";
    // A range may span '/' (e.g. [!-z]): exclude it explicitly.
    return `(?:(?!/)[${items.join("")}])`;
  };

  const sequence = (inBraces: boolean): string => {
    let out = "";
    while (i < chars.length) {
      const ch = chars[i]!;
      if (inBraces && (ch === "," || ch === "}")) return out;
      if (ch === "\\") {
        if (i + 1 >= chars.length) throw new GlobSyntaxError(pattern, "it ends with a lone '\\'");
        out += literal(chars[i + 1]!);
        i += 2;
      } else if (ch === "*") {
        let j = i;
        while (chars[j] === "*") j++;
        if (j - i === 1) {
          out += "[^/]*";
        } else {
          const segmentStart = i === 0 || chars[i - 1] === "/";
          if (segmentStart && chars[j] === "/") {
            // "**/" : zero or more whole segments.
            out += "(?:.*/)?";
            j++;
          } else {
            out += ".*";
          }
        }
        i = j;
      } else if (ch === "?") {
        out += "[^/]";
        i++;
      } else if (ch === "[") {
        out += charClass();
      } else if (ch === "{") {
        i++;
        const alternatives = [sequence(true)];
        while (chars[i] === ",") {
          i++;
          alternatives.push(sequence(true));
        }
        if (chars[i] !== "}") throw new GlobSyntaxError(pattern, "a '{' is never closed");
        i++;
        out += `(?:${alternatives.join("|")})`;
      } else {
        out += literal(ch);
        i++;
      }
    }
    if (inBraces) throw new GlobSyntaxError(pattern, "a '{' is never closed");
    return out;
  };

  return sequence(false);
}

/** Compiles a glob to a RegExp that tests whole keys. */
export function compileGlob(pattern: string): RegExp {
  if (pattern.length === 0) throw new GlobSyntaxError(pattern, "it is empty");
  const anchored = pattern.startsWith("/");
  const body = anchored ? pattern.slice(1) : pattern;
  if (body.length === 0) throw new GlobSyntaxError(pattern, "it names no key");
  // Iterate by code point so '?' matches one emoji, not half of it.
  const chars = Array.from(body);
  const source = translate(pattern, chars);
  const hasSlash = anchored || chars.some((c, i) => c === "/" && chars[i - 1] !== "\\");
  return new RegExp(hasSlash ? `^${source}$` : `^(?:.*/)?${source}$`, "su");
}

/** Why a pattern is invalid, or undefined when it compiles (for form and zod validation). */
export function globProblem(pattern: string): string | undefined {
  try {
    compileGlob(pattern);
    return undefined;
  } catch (error) {
    return error instanceof GlobSyntaxError ? error.message : String(error);
  }
}

export function matchesGlob(pattern: string, key: string): boolean {
  return compileGlob(pattern).test(key);
}
