import { describe, expect, it } from "vitest";
import { compileGlob, compileSelection, globProblem, GlobSyntaxError, matchesGlob, relativeKey } from "../src/index.ts";

const yes = (pattern: string, ...keys: string[]) => {
  for (const key of keys) expect(matchesGlob(pattern, key), `${pattern} should match ${key}`).toBe(true);
};
const no = (pattern: string, ...keys: string[]) => {
  for (const key of keys) expect(matchesGlob(pattern, key), `${pattern} should not match ${key}`).toBe(false);
};

describe("glob matching", () => {
  it("'*' stays inside a segment; a slash-free pattern matches the last segment at any depth", () => {
    yes("*.jpg", "a.jpg", "photos/a.jpg", "photos/2024/b.jpg", ".jpg");
    no("*.jpg", "a.jpeg", "a.jpg/meta", "a.JPG");
    yes("photos/*.jpg", "photos/a.jpg", "/photos/a.jpg".slice(1));
    no("photos/*.jpg", "photos/2024/a.jpg", "x/photos/a.jpg");
    yes("/*.txt", "a.txt");
    no("/*.txt", "d/a.txt");
  });

  it("'**' crosses segments, and as a whole segment also matches none", () => {
    yes("logs/**", "logs/a", "logs/a/b/c.gz");
    no("logs/**", "logs", "old/logs/a");
    yes("**/cache/*", "cache/x", "a/cache/x", "a/b/cache/x");
    no("**/cache/*", "a/cache/x/y", "acache/x");
    yes("a/**/z", "a/z", "a/b/z", "a/b/c/z");
    no("a/**/z", "az", "a/bz");
    yes("a**z", "az", "a/b/z", "abz");
  });

  it("'?' is one character (one code point), never '/'", () => {
    yes("file-?.txt", "file-1.txt", "dir/file-😀.txt");
    no("file-?.txt", "file-12.txt", "file-.txt");
    no("a?b", "a/b");
  });

  it("character sets, ranges and negation, never '/'", () => {
    yes("img[0-9].png", "img0.png", "img9.png");
    no("img[0-9].png", "imga.png", "img10.png");
    yes("[!a-c]x", "dx", "zx");
    no("[!a-c]x", "ax", "cx", "/x");
    yes("[^.]*", "abc");
    no("[^.]*", ".hidden");
    yes("[]x]", "]", "x");
    yes("[a-]", "a", "-");
    no("[/]x", "/x");
    no("a[!b]c", "a/c");
  });

  it("brace alternatives, nested and holding globs", () => {
    yes("*.{jpg,png}", "a.jpg", "d/b.png");
    no("*.{jpg,png}", "a.gif");
    yes("{logs,tmp}/**", "logs/a", "tmp/b/c");
    no("{logs,tmp}/**", "data/logs/a");
    yes("a{b,c{d,e}}f", "abf", "acdf", "acef");
    no("a{b,c{d,e}}f", "acf");
    yes("x{,.bak}", "x", "x.bak");
  });

  it("treats regex characters and odd keys literally", () => {
    yes("a+b (1).txt", "a+b (1).txt");
    no("a+b (1).txt", "aab (1).txt");
    yes("100%.txt", "100%.txt");
    yes("ünïcödé/日本語/*", "ünïcödé/日本語/😀 emoji.txt");
    yes("$^|.txt", "$^|.txt");
    yes("\\*literal", "*literal");
    no("\\*literal", "xliteral");
    yes("a\\{b", "a{b");
  });

  it("rejects malformed patterns with a reason", () => {
    expect(() => compileGlob("a[bc")).toThrow(GlobSyntaxError);
    expect(() => compileGlob("a{b,c")).toThrow(/never closed/);
    expect(() => compileGlob("trailing\\")).toThrow(/lone/);
    expect(() => compileGlob("[z-a]")).toThrow(/backwards/);
    expect(globProblem("")).toMatch(/empty/);
    expect(globProblem("ok/*.txt")).toBeUndefined();
  });
});

describe("object selection", () => {
  const obj = (key: string, size = 10, lastModified?: Date) => ({ key, size, lastModified });

  it("selects everything by default", () => {
    const s = compileSelection();
    expect(s.selectsEverything).toBe(true);
    expect(s.matches(obj("anything/at/all"))).toBe(true);
  });

  it("combines include, exclude, size range and modified-since", () => {
    const s = compileSelection({ include: ["*.log", "data/**"], exclude: ["**/tmp/**", "*.bak"], minSize: 1, maxSize: 100, modifiedSince: new Date("2024-01-01T00:00:00Z") });
    expect(s.selectsEverything).toBe(false);
    const recent = new Date("2024-06-01T00:00:00Z");
    expect(s.matches(obj("a/b.log", 50, recent))).toBe(true);
    expect(s.matches(obj("data/x.bin", 100, recent))).toBe(true);
    expect(s.matches(obj("data/x.bin", 101, recent))).toBe(false); // too big
    expect(s.matches(obj("data/x.bin", 0, recent))).toBe(false); // too small
    expect(s.matches(obj("data/tmp/x.bin", 50, recent))).toBe(false); // excluded
    expect(s.matches(obj("data/x.bak", 50, recent))).toBe(false); // excluded
    expect(s.matches(obj("other/x.bin", 50, recent))).toBe(false); // not included
    expect(s.matches(obj("a/b.log", 50, new Date("2023-12-31T23:59:59Z")))).toBe(false); // too old
    expect(s.matches(obj("a/b.log", 50))).toBe(true); // no date: kept
    expect(s.matchesKey("data/tmp/x")).toBe(false);
    expect(s.matchesKey("data/y")).toBe(true);
  });

  it("gives keys relative to a prefix", () => {
    expect(relativeKey("src/a/b", "src/")).toBe("a/b");
    expect(relativeKey("a/b", "")).toBe("a/b");
  });
});
