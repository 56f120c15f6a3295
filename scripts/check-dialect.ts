// Checks that firmware bundles use only the JavaScript Espruino's interpreter runs.
//
//   node --import tsx scripts/check-dialect.ts [bundle.js ...]   (default: firmware/dist/*.js)
//   ... --census     also list the constructs the bundles use (for docs/DIALECT.md)
//   ... --probe      run scripts/dialect-probe.js on the real interpreter ($ESPRUINO_BIN,
//                    else /opt/espruino/espruino, else /opt/espruino-src/bin/espruino) and
//                    compare each construct's result with PROBE_EXPECT (what DIALECT.md says)
//
// Each bundle is parsed with acorn and its AST walked; every unsupported construct is a
// finding `file:line:col: construct: message`, and any finding exits 1. The rules and why
// each exists (measured on 2v29.277) are in docs/DIALECT.md. Helpers: scripts/dialect-ast.ts
// (a generic AST walker), scripts/dialect-hoisting.ts (use before declaration) and
// scripts/dialect-rules.ts (the tables: what the interpreter lacks, what each probe gives).

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "acorn";
import type { Node as AcornNode, Position } from "acorn";
import type { N } from "./dialect-ast.js";
import { isFn, isReference, walk } from "./dialect-ast.js";
import { checkHoisting } from "./dialect-hoisting.js";
import {
  BROKEN_HELPERS,
  MISSING_GLOBALS,
  MISSING_METHODS,
  MISSING_STATICS,
  NATIVE_CLASSES,
  NATIVE_PROTOTYPES,
  OBJECT_PROTOTYPE_OK,
  PROBE_EXPECT,
} from "./dialect-rules.js";
import { repoRoot } from "../src/host/repo.js";
import { parseScriptArgs } from "./script-args.js";

export interface Finding {
  file: string;
  line: number;
  column: number;
  /** Rule id: one row of docs/DIALECT.md. */
  construct: string;
  message: string;
}

export function formatFinding(f: Finding): string {
  return f.file + ":" + f.line + ":" + f.column + ": " + f.construct + ": " + f.message;
}

// ---- regular expressions ----

/** Problems with a RegExp pattern and flags on Espruino: rule id -> message. */
export function regexpProblems(
  pattern: string,
  flags: string,
  literal = false,
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const bad = flags.replace(/[gim]/g, "");
  if (bad) out.push(["regexp-flag", 'flag "' + bad + '" is not supported (only g, i, m)']);
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      if (pattern[i + 1] === "k" && pattern[i + 2] === "<")
        out.push(["regexp-named-group", "\\k<name> backreference"]);
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      else if (c === "/" && literal)
        out.push([
          "regexp-slash-in-class",
          'an unescaped "/" inside [...] ends the literal early (write \\/ or use new RegExp)',
        ]);
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith("<=") || rest.startsWith("<!"))
        out.push(["regexp-lookbehind", "lookbehind (?<= / (?<! never matches"]);
      else if (rest.startsWith("=") || rest.startsWith("!"))
        out.push(["regexp-lookahead", "lookahead (?= / (?! never matches"]);
      else if (rest.startsWith("<")) out.push(["regexp-named-group", "named group (?<name>...)"]);
    } else if (c === "{" && /^\{[0-9]+(,[0-9]*)?\}/.test(pattern.slice(i))) {
      out.push([
        "regexp-quantifier-braces",
        "numeric quantifier " + (/^\{[^}]*\}/.exec(pattern.slice(i)) ?? [""])[0] + " never matches",
      ]);
    }
  }
  return out;
}

// ---- helpers ----

/** Names declared inside function `fn` (params and locals), which shadow outer names. */
function localNames(fn: N): Set<string> {
  const names = new Set<string>();
  const addPattern = (p: N): void => {
    walk(p, (n, anc) => {
      const parent = anc[anc.length - 1];
      if (n.type === "Identifier" && (!parent || parent.type !== "MemberExpression"))
        names.add(n.name);
      if (n.type === "AssignmentPattern") {
        addPattern(n.left);
        return false;
      }
      return undefined;
    });
  };
  if (isFn(fn)) {
    for (const p of fn.params) addPattern(p);
    if (fn.type === "FunctionExpression" && fn.id) names.add(fn.id.name);
  }
  const body = isFn(fn) ? fn.body : fn;
  walk(body, (n) => {
    if (n !== body && isFn(n)) {
      if (n.type === "FunctionDeclaration" && n.id) names.add(n.id.name);
      return false;
    }
    if (n.type === "VariableDeclarator") addPattern(n.id);
    if (n.type === "ClassDeclaration" && n.id) names.add(n.id.name);
    if (n.type === "CatchClause" && n.param) addPattern(n.param);
    return undefined;
  });
  return names;
}

// ---- the checker ----

/** Checks one bundle's source; returns the findings (empty when it is fine). */
export function checkDialect(code: string, file: string): Finding[] {
  const findings: Finding[] = [];
  let program: N;
  try {
    program = parse(code, {
      ecmaVersion: "latest",
      sourceType: "script",
      locations: true,
      allowHashBang: true,
    }) as N;
  } catch (e) {
    const loc = (e as { loc?: Position }).loc;
    return [
      {
        file,
        line: loc ? loc.line : 1,
        column: loc ? loc.column + 1 : 1,
        construct: "syntax",
        message: e instanceof Error ? e.message : String(e),
      },
    ];
  }
  const report = (n: AcornNode, construct: string, message: string): void => {
    const start = n.loc ? n.loc.start : { line: 1, column: 0 };
    findings.push({ file, line: start.line, column: start.column + 1, construct, message });
  };

  // Names the bundle declares itself (a local `Map` is not the missing global).
  const declared = new Set<string>();
  walk(program, (n, anc) => {
    const parent = anc[anc.length - 1];
    if (
      n.type === "Identifier" &&
      parent &&
      !isReference(n, parent) &&
      parent.type !== "MemberExpression" &&
      parent.type !== "Property"
    ) {
      declared.add(n.name);
    }
  });

  walk(program, (n, anc) => {
    const parent = anc[anc.length - 1];
    switch (n.type) {
      case "ObjectPattern":
      case "ArrayPattern":
        report(
          n,
          "destructuring",
          (n.type === "ObjectPattern" ? "object" : "array") + " destructuring is not supported",
        );
        break;
      case "AssignmentPattern":
        report(n, "default-value", "default parameter or destructuring default is not supported");
        break;
      case "RestElement":
        report(n, "rest", "rest parameter or element is not supported");
        break;
      case "SpreadElement": {
        const where =
          parent?.type === "ArrayExpression"
            ? "array"
            : parent?.type === "ObjectExpression"
              ? "object"
              : "call";
        report(n, "spread", "spread in " + where + " is not supported");
        break;
      }
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        if (n.generator) report(n, "generator", "generator functions are not supported");
        if (n.async) report(n, "async", "async functions are not supported");
        break;
      case "YieldExpression":
        report(n, "generator", "yield is not supported");
        break;
      case "AwaitExpression":
        report(n, "async", "await is not supported");
        break;
      case "ForOfStatement":
        if (n.await) report(n, "async", "for await is not supported");
        break;
      case "ClassDeclaration":
      case "ClassExpression":
        if (
          n.superClass &&
          n.superClass.type === "Identifier" &&
          NATIVE_CLASSES.includes(n.superClass.name) &&
          !declared.has(n.superClass.name)
        ) {
          report(
            n.superClass,
            "extends-native",
            "a class cannot extend the built-in " + n.superClass.name + " (super() fails)",
          );
        }
        break;
      case "MethodDefinition":
        if (!n.computed && n.key.type === "Identifier" && n.key.name === "static") {
          report(n.key, "method-named-static", 'a method named "static" is a syntax error');
        }
        if (n.computed)
          report(n.key, "computed-key", "computed class member names are not supported");
        break;
      case "PropertyDefinition":
        if (n.computed)
          report(n.key, "computed-key", "computed class member names are not supported");
        break;
      case "Property":
        if (n.computed) report(n.key, "computed-key", "computed keys {[k]: v} are not supported");
        break;
      case "PrivateIdentifier":
        report(n, "class-private", "private class members (#name) are not supported");
        break;
      case "StaticBlock":
        report(n, "class-static-block", "class static blocks are not supported");
        break;
      case "LabeledStatement":
        report(n, "label", "labels are not supported");
        break;
      case "WithStatement":
        report(n, "with", "with is not supported");
        break;
      case "BinaryExpression":
        if (n.operator === "**") report(n, "exponent", "** is not supported (use Math.pow)");
        break;
      case "AssignmentExpression":
        if (n.operator === "**=") report(n, "exponent", "**= is not supported");
        if (n.operator === "??=" || n.operator === "||=" || n.operator === "&&=") {
          report(n, "logical-assignment", n.operator + " is not supported");
        }
        break;
      case "ChainExpression":
        report(n, "optional-chaining", "?. is not supported");
        break;
      case "TaggedTemplateExpression":
        report(n, "tagged-template", "tagged templates are not supported");
        break;
      case "MetaProperty":
        report(n, "new-target", n.meta.name + "." + n.property.name + " is not supported");
        break;
      case "ImportExpression":
      case "ImportDeclaration":
      case "ExportNamedDeclaration":
      case "ExportDefaultDeclaration":
      case "ExportAllDeclaration":
        report(n, "module", "ES modules are not supported");
        break;
      case "SwitchStatement": {
        const d = n.cases.findIndex((c) => c.test === null || c.test === undefined);
        if (d >= 0 && d !== n.cases.length - 1) {
          report(
            n.cases[d] as N,
            "switch-default-not-last",
            "default must be the last case (CASE after DEFAULT unsupported)",
          );
        }
        break;
      }
      case "Literal":
        if (n.regex)
          for (const [rule, msg] of regexpProblems(n.regex.pattern, n.regex.flags, true))
            report(n, rule, msg);
        if (n.bigint !== undefined) report(n, "bigint", "BigInt literals are not supported");
        break;
      case "NewExpression":
      case "CallExpression":
        if (n.callee.type === "Identifier" && n.callee.name === "RegExp") {
          const [p, f] = n.arguments;
          if (p && p.type === "Literal" && typeof p.value === "string") {
            const flags = f && f.type === "Literal" && typeof f.value === "string" ? f.value : "";
            for (const [rule, msg] of regexpProblems(p.value, flags)) report(n, rule, msg);
          }
        }
        break;
      case "Super": {
        // super inside an arrow function fails (probe super-in-arrow).
        for (let k = anc.length - 1; k >= 0; k--) {
          const a = anc[k] as N;
          if (a.type === "ArrowFunctionExpression") {
            report(n, "super-in-arrow", "super inside an arrow function is not supported");
            break;
          }
          if (a.type === "FunctionExpression" || a.type === "FunctionDeclaration") break;
        }
        break;
      }
      case "MemberExpression": {
        const prop = !n.computed && n.property.type === "Identifier" ? n.property.name : undefined;
        if (n.object.type === "Identifier" && prop !== undefined && !declared.has(n.object.name)) {
          const statics = MISSING_STATICS[n.object.name];
          if (statics && statics.includes(prop))
            report(n, "missing-builtin", n.object.name + "." + prop + " does not exist");
          if (prop === "prototype" && NATIVE_PROTOTYPES.includes(n.object.name)) {
            report(
              n,
              "native-prototype",
              n.object.name + ".prototype is undefined (use an instance: [].slice.call)",
            );
          }
        }
        if (
          n.object.type === "MemberExpression" &&
          n.object.object.type === "Identifier" &&
          n.object.object.name === "Object" &&
          !n.object.computed &&
          n.object.property.type === "Identifier" &&
          n.object.property.name === "prototype" &&
          prop !== undefined &&
          !OBJECT_PROTOTYPE_OK.includes(prop)
        ) {
          report(n, "native-prototype", "Object.prototype." + prop + " does not exist");
        }
        if (
          prop !== undefined &&
          MISSING_METHODS.includes(prop) &&
          parent?.type === "CallExpression" &&
          parent.callee === n
        ) {
          report(
            n.property,
            "missing-method",
            "." + prop + "() does not exist on arrays, strings or typed arrays",
          );
        }
        break;
      }
      case "Identifier":
        if (isReference(n, parent) && !declared.has(n.name) && MISSING_GLOBALS.includes(n.name)) {
          report(n, "missing-global", n.name + " does not exist");
        }
        if (
          BROKEN_HELPERS.includes(n.name) &&
          parent?.type === "VariableDeclarator" &&
          parent.id === n
        ) {
          report(n, "esbuild-helper", "esbuild helper " + n.name + " needs what Espruino lacks");
        }
        break;
      default:
        break;
    }
    // No per-iteration binding: a closure over a let/const loop variable sees its last value.
    if (n.type === "ForStatement" || n.type === "ForInStatement" || n.type === "ForOfStatement") {
      const decl = n.type === "ForStatement" ? n.init : n.left;
      if (decl && decl.type === "VariableDeclaration" && decl.kind !== "var") {
        const names = new Set<string>();
        for (const d of decl.declarations) if (d.id.type === "Identifier") names.add(d.id.name);
        const parts: N[] =
          n.type === "ForStatement"
            ? [n.body, ...(n.test ? [n.test] : []), ...(n.update ? [n.update] : [])]
            : [n.body];
        for (const part of parts) {
          walk(part, (m) => {
            if (!isFn(m)) return undefined;
            const shadow = localNames(m);
            let uses: string | undefined;
            walk(m.body, (k, ka) => {
              if (
                uses === undefined &&
                k.type === "Identifier" &&
                names.has(k.name) &&
                !shadow.has(k.name) &&
                isReference(k, ka[ka.length - 1])
              ) {
                uses = k.name;
              }
            });
            if (uses !== undefined) {
              report(
                m,
                "let-loop-closure",
                'closure over loop variable "' + uses + '": Espruino has no per-iteration binding',
              );
            }
            return false;
          });
        }
      }
    }
    return undefined;
  });
  // No hoisting: uses before declaration, through calls (scripts/dialect-hoisting.ts).
  checkHoisting(program, (n, message) => report(n, "use-before-declaration", message));
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return findings;
}

// ---- census: what a bundle uses (docs/DIALECT.md) ----

/** Counts the constructs a bundle uses, by DIALECT.md row name. */
export function census(code: string): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (k: string): void => {
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  const program = parse(code, { ecmaVersion: "latest", sourceType: "script" }) as N;
  walk(program, (n, anc) => {
    const parent = anc[anc.length - 1];
    switch (n.type) {
      case "ClassDeclaration":
      case "ClassExpression":
        bump("class");
        if (n.superClass) bump("class extends (user class)");
        break;
      case "MethodDefinition":
        if (n.kind === "get" || n.kind === "set") bump("class getter/setter");
        if (n.static) bump("static method");
        break;
      case "PropertyDefinition":
        bump("class field syntax");
        break;
      case "ArrowFunctionExpression":
        bump("arrow function");
        break;
      case "VariableDeclaration":
        bump(n.kind === "var" ? "var" : "let/const");
        break;
      case "TemplateLiteral":
        if (parent?.type !== "TaggedTemplateExpression") bump("template literal");
        break;
      case "ForOfStatement":
        bump("for...of");
        break;
      case "ForInStatement":
        bump("for...in");
        break;
      case "TryStatement":
        if (n.handler)
          bump(n.handler.param ? "try/catch with binding" : "try/catch without binding");
        if (n.finalizer) bump("try/finally");
        break;
      case "ThrowStatement":
        bump("throw");
        break;
      case "BinaryExpression":
      case "AssignmentExpression":
        if ([">>>", ">>>="].includes(n.operator)) bump(">>> (unsigned shift)");
        if (["&", "|", "^", "<<", ">>", "&=", "|=", "^=", "<<=", ">>="].includes(n.operator))
          bump("bitwise operators");
        if (n.operator === "instanceof") bump("instanceof");
        if (n.operator === "in") bump("in");
        break;
      case "UnaryExpression":
        if (n.operator === "typeof") bump("typeof");
        if (n.operator === "void") bump("void 0");
        if (n.operator === "delete") bump("delete");
        break;
      case "LogicalExpression":
        if (n.operator === "??") bump("?? (nullish)");
        break;
      case "ConditionalExpression":
        bump("conditional ?:");
        break;
      case "SequenceExpression":
        bump("comma expressions");
        break;
      case "Property":
        if (n.kind === "get" || n.kind === "set") bump("object literal getter/setter");
        else if (n.method) bump("method shorthand");
        else if (n.shorthand) bump("property shorthand");
        break;
      case "SwitchStatement":
        bump("switch");
        break;
      case "DoWhileStatement":
        bump("do...while");
        break;
      case "Literal":
        if (n.regex) bump("RegExp literal");
        break;
      case "NewExpression":
        if (n.callee.type === "Identifier") bump("new " + n.callee.name);
        break;
      case "MemberExpression": {
        if (n.computed || n.property.type !== "Identifier") break;
        const prop = n.property.name;
        const called = parent?.type === "CallExpression" && parent.callee === n;
        if (
          n.object.type === "Identifier" &&
          /^[A-Z]/.test(n.object.name) &&
          n.object.name.length > 1
        ) {
          bump(n.object.name + "." + prop + (called ? "()" : ""));
        } else if (n.object.type === "Identifier" && ["E", "process"].includes(n.object.name)) {
          bump(n.object.name + "." + prop + (called ? "()" : ""));
        } else if (called) bump("." + prop + "()");
        else if (prop === "length") bump(".length");
        break;
      }
      case "Identifier":
        if (
          parent?.type === "CallExpression" &&
          parent.callee === n &&
          [
            "require",
            "print",
            "setTimeout",
            "clearTimeout",
            "setInterval",
            "btoa",
            "atob",
            "parseInt",
            "String",
            "Number",
            "getTime",
            "peek32",
            "poke32",
          ].includes(n.name)
        ) {
          bump(n.name + "()");
        }
        break;
      default:
        break;
    }
  });
  return counts;
}

// ---- the probe on the real interpreter ----

export interface ProbeResult {
  version: string;
  board: string;
  commit: string;
  results: Map<string, { pass: boolean; detail: string }>;
  complete: boolean;
}

/** Parses the interpreter's output of scripts/dialect-probe.js. */
export function parseProbeOutput(text: string): ProbeResult {
  const res: ProbeResult = {
    version: "",
    board: "",
    commit: "",
    results: new Map(),
    complete: false,
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^[>\s]+/, "");
    if (line.startsWith("@@PROBE-VERSION|")) {
      const f = line.split("|");
      res.version = f[1] ?? "";
      res.board = f[2] ?? "";
      res.commit = f[3] ?? "";
    } else if (line.startsWith("@@PROBE|")) {
      const f = line.split("|");
      const id = f[1];
      if (id) res.results.set(id, { pass: f[2] === "PASS", detail: f.slice(3).join("|") });
    } else if (line.startsWith("@@PROBE-END|")) res.complete = true;
  }
  return res;
}

/** The repository root (src/host/repo.ts), re-exported for the build scripts. */
export { repoRoot };

/** The interpreter to probe: $ESPRUINO_BIN, else the usual places; undefined when none. */
export function findEspruino(): string | undefined {
  const env = process.env["ESPRUINO_BIN"];
  if (env) return env;
  for (const p of ["/opt/espruino/espruino", "/opt/espruino-src/bin/espruino"])
    if (existsSync(p)) return p;
  return undefined;
}

/** Runs the probe as `(cat probe.js; sleep 3) | timeout -s KILL 20 espruino` in a fresh directory. */
export function runProbe(bin: string): ProbeResult {
  const probe = join(repoRoot(), "scripts", "dialect-probe.js");
  const dir = mkdtempSync(join(tmpdir(), "mtdoops-probe-"));
  try {
    const r = spawnSync(
      "sh",
      ["-c", '(cat "$1"; sleep 3) | timeout -s KILL 20 "$2"', "probe", probe, bin],
      { cwd: dir, encoding: "latin1", maxBuffer: 64 * 1024 * 1024 },
    );
    return parseProbeOutput(r.stdout ?? "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lines comparing a probe run with PROBE_EXPECT; `mismatches` counts the differences. */
export function compareProbe(res: ProbeResult): { lines: string[]; mismatches: number } {
  const lines: string[] = [];
  let mismatches = 0;
  for (const [id, want] of Object.entries(PROBE_EXPECT)) {
    const got = res.results.get(id);
    const wantPass = want === "pass";
    const rule = want === "pass" ? "" : want.fail;
    if (!got) {
      mismatches++;
      lines.push("MISSING  " + id);
      continue;
    }
    const ok = got.pass === wantPass;
    if (!ok) mismatches++;
    lines.push(
      (ok ? "ok       " : "MISMATCH ") +
        (got.pass ? "PASS " : "FAIL ") +
        id +
        (rule ? "  [rule " + rule + "]" : "") +
        (got.pass ? "" : "  " + got.detail),
    );
  }
  for (const id of res.results.keys()) {
    if (!(id in PROBE_EXPECT)) {
      mismatches++;
      lines.push("UNLISTED " + id + " (add it to PROBE_EXPECT)");
    }
  }
  return { lines, mismatches };
}

// ---- command line ----

const USAGE = "node --import tsx scripts/check-dialect.ts [--census] [--probe] [bundle.js ...]";

function main(argv: string[]): number {
  const root = repoRoot();
  const args = parseScriptArgs(
    "check-dialect",
    argv,
    { census: { type: "boolean" }, probe: { type: "boolean" } },
    USAGE,
    true,
  );
  if (!args) return 2;
  const withCensus = args.values["census"] === true;
  let files = args.positionals;
  let status = 0;
  if (args.values["probe"] === true) {
    const bin = findEspruino();
    if (!bin) {
      console.error(
        "check-dialect --probe: no interpreter; set ESPRUINO_BIN to Espruino's Linux build",
      );
      return 2;
    }
    const res = runProbe(bin);
    console.log(
      "interpreter " +
        bin +
        ": Espruino " +
        (res.version || "?") +
        " " +
        res.board +
        " " +
        res.commit,
    );
    const cmp = compareProbe(res);
    for (const l of cmp.lines) console.log(l);
    if (!res.complete) console.log("probe did not finish (no @@PROBE-END line)");
    console.log(cmp.mismatches + " mismatch(es) with docs/DIALECT.md");
    if (cmp.mismatches > 0 || !res.complete) status = 1;
    if (files.length === 0) return status;
  }
  if (files.length === 0) {
    const dist = join(root, "firmware", "dist");
    files = existsSync(dist)
      ? readdirSync(dist)
          .filter((f) => f.endsWith(".js"))
          .sort()
          .map((f) => join(dist, f))
      : [];
    if (files.length === 0) {
      console.error("check-dialect: no bundles in firmware/dist (run npm run build:firmware)");
      return 2;
    }
  }
  const total = new Map<string, number>();
  let count = 0;
  for (const f of files) {
    const code = readFileSync(f, "utf8");
    const rel = relative(process.cwd(), f);
    const shown = rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : f;
    for (const finding of checkDialect(code, shown)) {
      console.log(formatFinding(finding));
      count++;
    }
    if (withCensus) for (const [k, v] of census(code)) total.set(k, (total.get(k) ?? 0) + v);
  }
  if (withCensus) {
    console.log("constructs used by " + files.length + " bundle(s):");
    for (const [k, v] of [...total].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
      console.log("  " + k + "  " + v);
  }
  if (count > 0) {
    console.error(count + " dialect finding(s) in " + files.length + " bundle(s)");
    return 1;
  }
  console.error("check-dialect: " + files.length + " bundle(s) OK");
  return status;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
