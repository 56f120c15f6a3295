// The dialect checker (scripts/check-dialect.ts) on small snippets, on every construct of
// the interpreter probe (scripts/dialect-probe.js), and (when an interpreter is present)
// the probe itself against what docs/DIALECT.md claims.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "acorn";
import { describe, expect, it } from "vitest";
import {
  census,
  checkDialect,
  compareProbe,
  findEspruino,
  formatFinding,
  parseProbeOutput,
  regexpProblems,
  runProbe,
} from "../scripts/check-dialect.js";
import { PROBE_EXPECT } from "../scripts/dialect-rules.js";

const rules = (code: string): string[] =>
  [...new Set(checkDialect(code, "t.js").map((f) => f.construct))].sort();

describe("check-dialect: each banned construct is caught", () => {
  const banned: Array<[string, string]> = [
    ["var {a} = o;", "destructuring"],
    ["var [a, b] = o;", "destructuring"],
    ["function f({a}) { return a; }", "destructuring"],
    ["for (const [k, v] of o) print(k);", "destructuring"],
    ["try { f(); } catch ({ message }) { print(message); }", "destructuring"],
    ["function f(a, b = 2) { return a + b; }", "default-value"],
    ["function f(...r) { return r; }", "rest"],
    ["f(...x);", "spread"],
    ["var a = [0, ...x];", "spread"],
    ["var o = { ...x };", "spread"],
    ["var m = new Map();", "missing-global"],
    ["var s = new Set();", "missing-global"],
    ["var w = new WeakMap();", "missing-global"],
    ["var s = Symbol('x');", "missing-global"],
    ["var r = Reflect.ownKeys(o);", "missing-global"],
    ["function* g() { yield 1; }", "generator"],
    ["async function f() { await g(); }", "async"],
    ["var f = async () => 1;", "async"],
    ["async function f() { for await (const x of y) print(x); }", "async"],
    ["class E extends Error {}", "extends-native"],
    ["class L extends Array {}", "extends-native"],
    ["outer: for (;;) { break outer; }", "label"],
    ["var x = 2 ** 8;", "exponent"],
    ["x **= 2;", "exponent"],
    ["var y = o?.a;", "optional-chaining"],
    ["var y = o.f?.();", "optional-chaining"],
    ["a ??= 1;", "logical-assignment"],
    ["a ||= 1;", "logical-assignment"],
    ["var s = tag`x${1}`;", "tagged-template"],
    ["var r = /(?<=a)b/;", "regexp-lookbehind"],
    ["var r = /(?<!a)b/;", "regexp-lookbehind"],
    ["var r = /[ -/]x/;", "regexp-slash-in-class"],
    ["var r = /a(?=b)/;", "regexp-lookahead"],
    ["var r = /(?<y>\\d+)/;", "regexp-named-group"],
    ["var r = /a/y;", "regexp-flag"],
    ["var r = /a/u;", "regexp-flag"],
    ["var r = /a.b/s;", "regexp-flag"],
    ["var r = /^[0-9a-f]{8}$/;", "regexp-quantifier-braces"],
    ["var r = new RegExp('a{2,}');", "regexp-quantifier-braces"],
    ["var r = new RegExp('a', 'y');", "regexp-flag"],
    ["var s = Array.prototype.slice.call(arguments);", "native-prototype"],
    ["var t = String.prototype.trim;", "native-prototype"],
    ["var c = Function.prototype.call;", "native-prototype"],
    ["var e = Object.prototype.propertyIsEnumerable;", "native-prototype"],
    ["switch (x) { default: f(); case 1: g(); }", "switch-default-not-last"],
    ["var a = Array.from(x);", "missing-builtin"],
    ["var n = Number.isInteger(x);", "missing-builtin"],
    ["var n = Math.trunc(x);", "missing-builtin"],
    ["Object.freeze(o);", "missing-builtin"],
    ["var i = s.search(/x/);", "missing-method"],
    ["var l = a.at(-1);", "missing-method"],
    ["var f = a.flat();", "missing-method"],
    ["var o = { [k]: 1 };", "computed-key"],
    ["class A { [k]() {} }", "computed-key"],
    ["class A { #x = 1; }", "class-private"],
    ["class A { static { f(); } }", "class-static-block"],
    ["class A { static static() {} }", "method-named-static"],
    ["class B extends A { m() { return () => super.m(); } }", "super-in-arrow"],
    ["function F() { return new.target; }", "new-target"],
    ["var b = 10n;", "bigint"],
    ["with (o) { x = 1; }", "with"],
    ["var fs = []; for (let i = 0; i < 3; i++) fs.push(() => i);", "let-loop-closure"],
    ["for (const v of a) setTimeout(function () { print(v); }, 0);", "let-loop-closure"],
    ["var __async = function () {};", "esbuild-helper"],
    ["var x = ;", "syntax"],
  ];
  for (const [code, rule] of banned) {
    it(rule + ": " + code, () => {
      expect(rules(code)).toContain(rule);
    });
  }
});

describe("check-dialect: use before declaration (no hoisting)", () => {
  it("a top-level call of a function declared later", () => {
    const f = checkDialect("f();\nfunction f() {}", "b.js");
    expect(f.map(formatFinding)).toEqual([
      'b.js:1:1: use-before-declaration: uses function "f" before its declaration on line 2 (Espruino does not hoist functions or var)',
    ]);
  });

  it("through a function called early that calls one declared later", () => {
    const f = checkDialect(
      "function a() { return b(); }\na();\nfunction b() { return 1; }",
      "b.js",
    );
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toContain(
      'uses function "b" before its declaration on line 3 (through a() on line 2)',
    );
    expect(f[0]?.line).toBe(1);
  });

  it("through a class constructed early", () => {
    const code =
      "class A { constructor() { this.v = g(); } m() { return h(); } }\nvar a = new A();\nfunction g() {}\nfunction h() {}";
    const f = checkDialect(code, "b.js");
    expect(f.map((x) => x.message)).toEqual([
      'uses function "g" before its declaration on line 3 (through A() on line 2) (Espruino does not hoist functions or var)',
    ]);
  });

  it("reading or writing a var, let or const declared later", () => {
    expect(rules("var x = y + 1;\nvar y = 2;")).toEqual(["use-before-declaration"]);
    expect(rules("x = 2;\nvar x;")).toEqual(["use-before-declaration"]);
    expect(rules("print(c);\nconst c = 1;")).toEqual(["use-before-declaration"]);
    expect(rules("for (var i = 0; i < n; i++) {}\nvar n = 3;")).toEqual(["use-before-declaration"]);
  });

  it("inside the esbuild IIFE and inside any function body", () => {
    expect(rules("(() => { g(); function g() {} })();")).toEqual(["use-before-declaration"]);
    expect(
      rules("function outer() { var r = inner(); function inner() { return 1; } return r; }"),
    ).toEqual(["use-before-declaration"]);
  });

  it("through methods and getters called during the statement, and array-iterator callbacks", () => {
    expect(
      rules("class A { m() { return later; } }\nvar a = new A();\na.m();\nvar later = 1;"),
    ).toEqual(["use-before-declaration"]);
    expect(rules("var o = { get g() { return later; } };\nprint(o.g);\nvar later = 1;")).toEqual([
      "use-before-declaration",
    ]);
    expect(rules("[1].forEach(function () { g(); });\nfunction g() {}")).toEqual([
      "use-before-declaration",
    ]);
    expect(rules("[1].forEach(h);\nfunction h() { g(); }\nfunction g() {}")).toEqual([
      "use-before-declaration",
    ]);
    const f = checkDialect("function a() { return b(); }\nvar x = a();\nfunction b() {}", "v.js");
    expect(f[0]?.message).toBe(
      'uses function "b" before its declaration on line 3 (through a() on line 2) (Espruino does not hoist functions or var)',
    );
  });

  it("resolves scopes: an inner name that the minifier reused is not the outer one", () => {
    expect(
      rules("function f() { var b = 1; return function () { return b; }; }\nf()();\nvar b = 2;"),
    ).toEqual([]);
    expect(rules("function f(b) { return b; }\nf(1);\nvar b = 2;")).toEqual([]);
    expect(rules("try { g(); } catch (b) { print(b); }\nfunction g() {}\nvar b;")).toEqual([
      "use-before-declaration",
    ]);
    expect(rules("{ let q = 1; print(q); }\nlet q = 2;")).toEqual([]);
  });

  it("allowed: use after declaration, in callbacks run later, under typeof, and shadowed names", () => {
    expect(rules("function f() {}\nf();")).toEqual([]);
    expect(rules("function a() { return () => b(); }\na();\nfunction b() {}")).toEqual([]);
    expect(rules("setTimeout(function () { b(); }, 0);\nfunction b() {}")).toEqual([]);
    expect(rules("var t = typeof later;\nvar later = 1;")).toEqual([]);
    expect(rules("function a(b) { return b(); }\na(print);\nfunction b() {}")).toEqual([]);
    expect(rules("function a() { var b = 1; return b; }\na();\nvar b = 2;")).toEqual([]);
    expect(rules("function r(n) { return n ? r(n - 1) : 0; }\nr(3);")).toEqual([]);
    expect(rules("class A { m() { return h(); } }\nnew A();\nfunction h() {}")).toEqual([]);
  });
});

describe("check-dialect: allowed constructs pass", () => {
  const allowed = [
    "class A { constructor(x) { this.x = x; } get g() { return this.x; } set s(v) { this.x = v; } static f() { return 1; } }",
    "class A { m() { return 1; } } class B extends A { m() { return super.m() + 1; } }",
    "var f = (a, b) => a + b; var g = () => ({ a: 1 });",
    "let a = 1; const b = 2; { let a = 3; }",
    "var s = `a${1}b`;",
    "var u = new Uint8Array(4); u.set(u.subarray(0, 2), 2); u.fill(255); var v = u.slice(1, 3);",
    "var d = new DataView(new ArrayBuffer(4)); d.setUint32(0, 1, true);",
    "for (const x of [1, 2]) print(x); for (var k in o) print(k);",
    "try { f(); } catch (e) { print(e.message); } finally { g(); }",
    "var x = (a >>> 0) ^ (b << 3) | ~c & 0xff;",
    "var m = Math.floor(Math.min(1, 2) / Math.max(3, 4));",
    "var c = String.fromCharCode(65) + 'A'.charCodeAt(0) + JSON.stringify({ a: 1 });",
    "var a = [3, 1]; a.push(2); a.shift(); a.indexOf(1); a.sort(); a.lastIndexOf;",
    "var h = Object.prototype.hasOwnProperty.call(o, 'a');",
    "var n = a ?? b;",
    "var r = /wdt|exception/.test(s); var q = /^[0-9]+$/; var z = /[\\r\\n]/g; var b = /a\\{2\\}/; var c = /[{]2}/;",
    "switch (x) { case 1: f(); break; default: g(); }",
    "var o = { a, b, m() { return 1; }, get g() { return 2; } };",
    "var fs = []; for (var i = 0; i < 3; i++) fs.push(function () { return 1; });",
    "for (let i = 0; i < 3; i++) { var f = function (i) { return i; }; }",
    "var Map = function () {}; var m = new Map();",
    "class E { constructor(m) { this.message = m; } } class F extends E {}",
    "var e = new Error('x'); e.code = 'EIO'; throw e;",
    "var p = Math.pow(2, 10); var j = [].slice.call(arguments);",
    "class A { x = 7; }",
  ];
  for (const code of allowed) {
    it(code, () => {
      expect(checkDialect(code, "ok.js").map(formatFinding)).toEqual([]);
    });
  }
});

describe("check-dialect: findings", () => {
  it("name file, line, column and construct, sorted", () => {
    const f = checkDialect("var a = 1;\nvar {b} = o;\n  f(...x);", "dist/x.js");
    expect(f.map(formatFinding)).toEqual([
      "dist/x.js:2:5: destructuring: object destructuring is not supported",
      "dist/x.js:3:5: spread: spread in call is not supported",
    ]);
  });

  it("report a syntax error at its place", () => {
    const f = checkDialect("var a = 1;\nvar = 2;", "s.js");
    expect(f).toHaveLength(1);
    expect(f[0]?.construct).toBe("syntax");
    expect(f[0]?.line).toBe(2);
  });

  it("regexpProblems ignores escaped and bracketed braces", () => {
    expect(regexpProblems("a\\{2\\}", "g")).toEqual([]);
    expect(regexpProblems("[{]2}", "")).toEqual([]);
    expect(regexpProblems("x{2}", "gim").map((p) => p[0])).toEqual(["regexp-quantifier-braces"]);
  });

  it("census counts constructs by name", () => {
    const c = census(
      "class A { get g() { return 1; } } var u = new Uint8Array(2); u.subarray(1); for (const x of u) print(x >>> 0);",
    );
    expect(c.get("class")).toBe(1);
    expect(c.get("class getter/setter")).toBe(1);
    expect(c.get("new Uint8Array")).toBe(1);
    expect(c.get(".subarray()")).toBe(1);
    expect(c.get("for...of")).toBe(1);
    expect(c.get(">>> (unsigned shift)")).toBe(1);
  });
});

// ---- the probe: the checker agrees with what the interpreter did ----

const probeFile = join(import.meta.dirname, "..", "scripts", "dialect-probe.js");

/** The probe's t(id, source, expected) calls, read with acorn (any formatting). */
function probeEntries(): Array<{ id: string; src: string }> {
  const out: Array<{ id: string; src: string }> = [];
  const program = parse(readFileSync(probeFile, "utf8"), { ecmaVersion: "latest" });
  for (const s of program.body) {
    if (s.type !== "ExpressionStatement" || s.expression.type !== "CallExpression") continue;
    const c = s.expression;
    if (c.callee.type !== "Identifier" || c.callee.name !== "t") continue;
    const [id, src] = c.arguments;
    if (id?.type === "Literal" && src?.type === "Literal")
      out.push({ id: String(id.value), src: String(src.value) });
  }
  return out;
}

/** Constructs that run on the interpreter but that the checker rejects on purpose (docs/DIALECT.md, "Policy, not failure"). */
const POLICY = ["esbuild-object-spread"];

describe("check-dialect against the interpreter probe", () => {
  const entries = probeEntries();

  it("every probe has an expectation, and every expectation a probe", () => {
    expect(entries.length).toBeGreaterThan(150);
    expect(entries.map((e) => e.id).sort()).toEqual(Object.keys(PROBE_EXPECT).sort());
  });

  it("constructs measured unsupported are rejected by the rule DIALECT.md names", () => {
    const missed: string[] = [];
    for (const e of entries) {
      const want = PROBE_EXPECT[e.id];
      if (!want || want === "pass" || want.fail === "-") continue;
      const got = rules(e.src);
      if (!got.includes(want.fail))
        missed.push(e.id + " (want " + want.fail + ", got " + got.join(",") + ")");
    }
    expect(missed).toEqual([]);
  });

  it("constructs measured supported pass the checker (except the policy ones)", () => {
    const flagged: string[] = [];
    for (const e of entries) {
      if (PROBE_EXPECT[e.id] !== "pass" || POLICY.includes(e.id)) continue;
      const f = checkDialect(e.src, e.id);
      if (f.length) flagged.push(f.map(formatFinding).join("; "));
    }
    expect(flagged).toEqual([]);
    for (const id of POLICY)
      expect(rules(entries.find((e) => e.id === id)?.src ?? "")).not.toEqual([]);
  });

  it("parses probe output, prompts and echo included, and compares it", () => {
    const text =
      "banner\r\n>@@PROBE-VERSION|2v29.277|LINUX|c5ff787b1\r\n@@PROBE|class|PASS|2\r\n" +
      '@@PROBE|map|FAIL|threw object: "Map" is not defined\r\n@@PROBE|extra|PASS|\r\n>print("@@PROBE|x")\r\n@@PROBE-END|3\r\n';
    const r = parseProbeOutput(text);
    expect(r.version).toBe("2v29.277");
    expect(r.board).toBe("LINUX");
    expect(r.complete).toBe(true);
    expect(r.results.get("class")).toEqual({ pass: true, detail: "2" });
    expect(r.results.get("map")?.pass).toBe(false);
    const cmp = compareProbe(r);
    expect(cmp.lines).toContain("ok       PASS class");
    expect(cmp.lines.some((l) => l.startsWith("ok       FAIL map  [rule missing-global]"))).toBe(
      true,
    );
    expect(cmp.lines).toContain("UNLISTED extra (add it to PROBE_EXPECT)");
    expect(cmp.mismatches).toBeGreaterThan(100); // the others are MISSING
  });

  const bin = findEspruino();
  if (!bin) {
    it.skip("probe on the interpreter: SKIPPED, no Espruino Linux build (set ESPRUINO_BIN)", () => {});
  } else {
    it(
      "probe on the interpreter (" + bin + ") matches DIALECT.md",
      () => {
        const res = runProbe(bin);
        expect(res.complete).toBe(true);
        const cmp = compareProbe(res);
        expect(cmp.lines.filter((l) => !l.startsWith("ok "))).toEqual([]);
      },
      60_000,
    );
  }
});
