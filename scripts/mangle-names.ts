// Which property names the firmware build may rename (esbuild `mangleProps`).
//
//   node --import tsx scripts/mangle-names.ts [--list] [--entry file.ts] [--dom]
//
// A firmware bundle is self-contained: a property that only our own code defines and reads
// can be renamed consistently, and a renamed `recordSize` costs 1-2 bytes per use instead of
// 10. What may NOT be renamed is anything the outside world spells: the interpreter's and
// JavaScript's own objects, the global `mtdoops` API that users and host tools type, the
// keys of objects that are serialized (record context) or returned to the user, and
// anything read or written through a string key.
//
// The names are computed, not listed, with the TypeScript compiler API over one program:
// the firmware (firmware/**/*.ts), the device core (src/core/**/*.ts), the board schema
// (src/boards/schema.ts), plus a build's own entry when it is elsewhere.
//
//   candidates = property names our source DECLARES: class members, interface and type
//                literal members, object-literal keys (non-.d.ts files, not `declare`d).
//   reserved   = names that must keep their spelling, each with the rule that found it:
//     lib        every property/method/global declared in TypeScript's ES2022 lib files
//                (lib.es2022.d.ts and what it references, down to lib.es5.d.ts)
//     dom        the same for lib.dom.d.ts, only with --dom (Espruino has no DOM)
//     espruino   every name declared in @types/espruino (classes, namespaces, modules)
//     espruino+  Espruino modules @types/espruino 1.95 does not describe (Storage,
//                heatshrink): the explicit list ESPRUINO_EXTRA below
//     ambient    names declared in our own .d.ts files (firmware/espruino.d.ts) or in a
//                `declare` statement: our description of the outside world
//     cast       members of a type literal in a type assertion (`e as { code?: string }`):
//                the shape of an object of unknown origin
//     string-key a string literal used as a key: `o["k"]`, `"k" in o`, a literal whose
//                contextual type is `keyof T`, or any other string literal equal to a
//                candidate name, except where it is compared (===, case) or is a value of
//                a literal-union type (an enum-like value such as BackendKind "flash")
//     serialized the property names (recursively) of the type of anything passed to
//                JSON.stringify, Object.keys/values/entries/assign/getOwnPropertyNames,
//                or iterated with for-in: the record context's keys
//     global     what is assigned to a global (`global["mtdoops"] = ...`): the name, and
//                the property names (recursively, through method return types) of its type
//     argument   the property names (recursively) of the arguments of calls to functions
//                declared outside our code other than the lib's: what we hand to Espruino
//                (spi.setup({ sck, miso, mosi, baud }), E.setConsole(d, { force }))
//     dictionary keys of an object literal whose contextual type has a string index
//                signature (`Record<string, ...>`): data, e.g. mtdoops.stats()
//
//   mangled    = candidates - reserved, as the RegExp `^(_.*|name1|name2|...)$` (names
//                starting with "_" are internal by convention and always mangled).
//
// --list prints the mangled names and the candidates kept because a rule reserved them,
// with the rule. The build (scripts/build-firmware.ts) calls mangleNames(); the result is
// cached per entry for the life of the process.

import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { repoRoot } from "../src/host/repo.js";
import { parseScriptArgs } from "./script-args.js";

/**
 * Espruino names that @types/espruino 1.95 does not declare: the Storage and heatshrink
 * modules (espruino.com/Reference), and what the 2v29 Linux interpreter lists on its global
 * object, E, process and the prototypes (Object.getOwnPropertyNames) beyond the typings.
 * Reserved like the rest of the API. test/build-mangle.test.ts asks the interpreter again.
 */
// prettier-ignore
export const ESPRUINO_EXTRA: readonly string[] = [
  // require("Storage")
  "read", "readJSON", "readArrayBuffer", "write", "writeJSON", "erase", "eraseAll", "list",
  "hash", "compact", "debug", "getFree", "getStats", "optimise", "open", "getStorageFiles",
  "fileBytes", "fileCount", "freeBytes", "trashBytes", "trashCount", "totalBytes",
  // require("Storage").open(...): StorageFile
  "readLine", "getLength",
  // require("heatshrink")
  "compress", "decompress",
  // 2v29 (Linux build) names the typings lack
  "CONSOLE", "EXPTR", "FLASH", "GIT_COMMIT", "InternalError", "MODULES", "RAM", "SERIAL",
  "SPIFLASH", "StorageFile", "Uint24Array", "VERSION", "asUTF8", "asm", "blocksize",
  "compiledC", "connectSDCard", "console", "decodeUTF8", "defrag", "dgramSocket",
  "dumpFragmentation", "dumpFreeList", "dumpVariables", "enableWatchdog", "fromUTF8",
  "getAddressOf", "getClock", "getPowerUsage", "getSizeOf", "globalThis", "history",
  "internal", "interrupt", "isUTF8", "lookupNoCase", "memoryMap", "process", "quit",
  "randInt", "replaceWith", "rx", "setDST", "setInterval", "setTimeout", "shiftOut",
  "stopEventPropagation", "toFlatString", "toJS", "tx", "wrap",
  // Object.prototype on Espruino (events, clone): inherited by every object
  "on", "emit", "removeListener", "removeAllListeners", "clone", "prependListener",
];

export type ReserveRule =
  | "lib"
  | "dom"
  | "espruino"
  | "espruino+"
  | "ambient"
  | "cast"
  | "string-key"
  | "serialized"
  | "global"
  | "argument"
  | "dictionary";

export interface MangleNames {
  /** The names esbuild may rename, sorted (besides every name starting with "_"). */
  mangled: string[];
  /** Candidates that keep their spelling: name -> the rules that reserved it (first: strongest). */
  kept: Map<string, ReserveRule[]>;
  /** `^(_.*|name1|...)$`: esbuild's mangleProps. */
  regex: RegExp;
  /**
   * esbuild's mangleCache: every reserved name mapped to false, so that esbuild neither
   * renames it nor GENERATES it as a short name (it would otherwise pick e.g. `at` or `on`,
   * which are Array.prototype.at and Espruino's Object.prototype.on).
   */
  cache: Record<string, false>;
  /** Every name a rule reserved (not only candidates), with its rules. */
  reserved: Map<string, ReserveRule[]>;
  /** The files whose declarations were candidates (relative to the root). */
  files: string[];
}

export interface MangleOptions {
  /** Repository root (default: the one this script is in). */
  root?: string;
  /** More source files: a build's entry outside the default set. */
  extraFiles?: string[];
  /** Also reserve lib.dom.d.ts names (default false: Espruino has no DOM). */
  dom?: boolean;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function walkTs(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "dist" || name === "node_modules" || name.startsWith(".")) continue;
    if (statSync(p).isDirectory()) walkTs(p, out);
    else if (p.endsWith(".ts")) out.push(p);
  }
}

/** The device sources: firmware/**, src/core/**, src/boards/schema.ts. */
export function deviceSources(root: string = repoRoot()): string[] {
  const out: string[] = [];
  walkTs(join(root, "firmware"), out);
  walkTs(join(root, "src", "core"), out);
  const schema = join(root, "src", "boards", "schema.ts");
  if (existsSync(schema)) out.push(schema);
  return out.sort();
}

function nameText(name: ts.Node | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name)) return name.text;
  if (
    ts.isStringLiteral(name) ||
    ts.isNoSubstitutionTemplateLiteral(name) ||
    ts.isNumericLiteral(name)
  )
    return IDENT.test(name.text) ? name.text : undefined;
  return undefined; // computed names, #private
}

/** A declaration of a property or method name: in a type, a class or an object literal. */
function isMemberDeclaration(
  n: ts.Node,
): n is
  | ts.PropertySignature
  | ts.MethodSignature
  | ts.PropertyDeclaration
  | ts.MethodDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.PropertyAssignment {
  return (
    ts.isPropertySignature(n) ||
    ts.isMethodSignature(n) ||
    ts.isPropertyDeclaration(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isGetAccessorDeclaration(n) ||
    ts.isSetAccessorDeclaration(n) ||
    ts.isPropertyAssignment(n)
  );
}

/** Every declared name in a declaration file (lib, @types): members, globals, modules. */
function declarationNames(sf: ts.SourceFile, add: (name: string) => void): void {
  const visit = (n: ts.Node): void => {
    if (
      isMemberDeclaration(n) ||
      ts.isFunctionDeclaration(n) ||
      ts.isVariableDeclaration(n) ||
      ts.isClassDeclaration(n) ||
      ts.isInterfaceDeclaration(n) ||
      ts.isModuleDeclaration(n) ||
      ts.isEnumDeclaration(n) ||
      ts.isEnumMember(n)
    ) {
      const t = nameText(n.name);
      if (t) add(t);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}

function hasDeclare(n: ts.Node): boolean {
  return (
    ts.canHaveModifiers(n) &&
    (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)
  );
}

const cache = new Map<string, MangleNames>();

/** Computes (once per root, entry set and dom flag) the names the firmware build mangles. */
export function mangleNames(opts: MangleOptions = {}): MangleNames {
  const root = resolve(opts.root ?? repoRoot());
  const extra = (opts.extraFiles ?? []).map((f) => resolve(f)).sort();
  const key = [root, opts.dom ? "dom" : "", ...extra].join("\0");
  const hit = cache.get(key);
  if (hit) return hit;
  const result = compute(root, extra, !!opts.dom);
  cache.set(key, result);
  return result;
}

function compute(root: string, extra: string[], dom: boolean): MangleNames {
  const roots = [...new Set([...deviceSources(root), ...extra])];
  const program = ts.createProgram(roots, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: dom ? ["lib.es2022.d.ts", "lib.dom.d.ts"] : ["lib.es2022.d.ts"],
    // The device program's types, as tsconfig.firmware.json has them: @types/espruino
    // (with firmware/espruino.d.ts, one of the sources, merged into it).
    types: ["espruino"],
    typeRoots: [join(root, "node_modules", "@types")],
    noEmit: true,
    skipLibCheck: true,
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    allowImportingTsExtensions: true,
  });
  const checker = program.getTypeChecker();

  const reserved = new Map<string, ReserveRule[]>();
  const reserve = (name: string, rule: ReserveRule): void => {
    const r = reserved.get(name);
    if (!r) reserved.set(name, [rule]);
    else if (!r.includes(rule)) r.push(rule);
  };

  // ---- the outside world: lib, @types/espruino, the explicit extra ----
  const ownFiles: ts.SourceFile[] = [];
  const inNodeModules = (f: string): boolean => f.split(/[\\/]/).includes("node_modules");
  for (const sf of program.getSourceFiles()) {
    if (program.isSourceFileDefaultLibrary(sf)) {
      const rule: ReserveRule = /lib\.dom\./.test(sf.fileName) ? "dom" : "lib";
      declarationNames(sf, (n) => reserve(n, rule));
    } else if (sf.isDeclarationFile) {
      // our own .d.ts (firmware/espruino.d.ts), or a package's: the outside world
      declarationNames(sf, (n) => reserve(n, "ambient"));
    } else if (!inNodeModules(sf.fileName)) ownFiles.push(sf); // ours, or a stand-in entry
  }
  const req = createRequire(join(root, "package.json"));
  let espruinoTypes: string | undefined;
  try {
    espruinoTypes = req.resolve("@types/espruino/index.d.ts");
  } catch {
    espruinoTypes = undefined;
  }
  if (!espruinoTypes) throw new Error("mangle-names: @types/espruino is not installed");
  const esp = ts.createSourceFile(
    espruinoTypes,
    ts.sys.readFile(espruinoTypes) ?? "",
    ts.ScriptTarget.ES2022,
    false,
  );
  declarationNames(esp, (n) => reserve(n, "espruino"));
  for (const n of ESPRUINO_EXTRA) reserve(n, "espruino+");

  // ---- candidates, and the reserving uses in our own code ----
  const candidates = new Set<string>();
  const literalUses: ts.StringLiteralLike[] = [];
  const seenTypes = new Set<ts.Type>();
  const libType = (t: ts.Type): boolean => {
    const d = (t.aliasSymbol ?? t.getSymbol())?.getDeclarations()?.[0];
    if (!d) return false;
    const f = d.getSourceFile();
    return program.isSourceFileDefaultLibrary(f) || inNodeModules(f.fileName);
  };
  const reserveType = (t: ts.Type, rule: ReserveRule, at: ts.Node, depth: number): void => {
    if (depth > 6 || seenTypes.has(t)) return;
    seenTypes.add(t);
    try {
      if (t.isUnionOrIntersection()) {
        for (const u of t.types) reserveType(u, rule, at, depth);
        return;
      }
      if (checker.isArrayType(t) || checker.isTupleType(t)) {
        for (const a of checker.getTypeArguments(t as ts.TypeReference))
          reserveType(a, rule, at, depth + 1);
        return;
      }
      if (libType(t)) return; // Uint8Array, Date...: lib names, reserved anyway
      for (const p of checker.getPropertiesOfType(t)) {
        if (IDENT.test(p.name)) reserve(p.name, rule);
        reserveType(checker.getTypeOfSymbolAtLocation(p, at), rule, at, depth + 1);
      }
      for (const s of t.getCallSignatures()) reserveType(s.getReturnType(), rule, at, depth + 1);
    } finally {
      seenTypes.delete(t);
    }
  };

  /** Declared by Espruino's typings or by our own description of them (.d.ts, `declare`). */
  const external = (d: ts.Node): boolean => {
    const f = d.getSourceFile();
    if (program.isSourceFileDefaultLibrary(f)) return false;
    if (f.isDeclarationFile) return true;
    for (let x: ts.Node | undefined = d; x; x = x.parent) if (hasDeclare(x)) return true;
    return false;
  };

  const isGlobalRef = (e: ts.Expression): boolean => {
    let x: ts.Expression = e;
    while (
      ts.isParenthesizedExpression(x) ||
      ts.isAsExpression(x) ||
      ts.isTypeAssertionExpression(x)
    )
      x = x.expression;
    return ts.isIdentifier(x) && (x.text === "global" || x.text === "globalThis");
  };

  const SERIALIZERS = new Set([
    "JSON.stringify",
    "Object.keys",
    "Object.values",
    "Object.entries",
    "Object.assign",
    "Object.getOwnPropertyNames",
  ]);

  const visitOwn = (sf: ts.SourceFile): void => {
    const visit = (n: ts.Node, ambient: boolean, cast: boolean): void => {
      const amb = ambient || hasDeclare(n);
      // declared names
      if (
        isMemberDeclaration(n) ||
        ts.isShorthandPropertyAssignment(n) ||
        (ts.isParameter(n) && ts.isConstructorDeclaration(n.parent) && ts.getModifiers(n)?.length)
      ) {
        const t = nameText(n.name);
        if (t) {
          if (amb) reserve(t, "ambient");
          else if (cast) reserve(t, "cast");
          else candidates.add(t);
        }
      }
      // o["k"], "k" in o
      if (ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression))
        reserve(n.argumentExpression.text, "string-key");
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === ts.SyntaxKind.InKeyword &&
        ts.isStringLiteralLike(n.left)
      )
        reserve(n.left.text, "string-key");
      if (ts.isStringLiteralLike(n) && !ts.isLiteralTypeNode(n.parent) && !amb) literalUses.push(n);
      // JSON.stringify(x), Object.keys(x), ...
      if (ts.isCallExpression(n) && SERIALIZERS.has(n.expression.getText(sf))) {
        for (const a of n.arguments) reserveType(checker.getTypeAtLocation(a), "serialized", a, 0);
      }
      // what we hand to Espruino: arguments of functions declared outside our code (other
      // than the lib's, e.g. Array.push, which keep our objects ours)
      if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && n.arguments?.length) {
        const d = checker.getResolvedSignature(n)?.getDeclaration();
        if (d && external(d)) {
          for (const a of n.arguments) reserveType(checker.getTypeAtLocation(a), "argument", a, 0);
        }
      }
      if (ts.isForInStatement(n))
        reserveType(checker.getTypeAtLocation(n.expression), "serialized", n.expression, 0);
      // global.x = v, global["x"] = v
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left)) &&
        isGlobalRef(n.left.expression)
      ) {
        const name = ts.isPropertyAccessExpression(n.left)
          ? n.left.name.text
          : ts.isStringLiteralLike(n.left.argumentExpression)
            ? n.left.argumentExpression.text
            : undefined;
        if (name) reserve(name, "global");
        reserveType(checker.getTypeAtLocation(n.right), "global", n.right, 0);
      }
      // object literals that are dictionaries (Record<string, ...>)
      if (ts.isObjectLiteralExpression(n)) {
        const ct = checker.getContextualType(n);
        const parts = ct ? (ct.isUnion() ? ct.types : [ct]) : [];
        if (parts.some((p) => checker.getIndexInfoOfType(p, ts.IndexKind.String))) {
          for (const p of n.properties) {
            const t = nameText(p.name);
            if (t) reserve(t, "dictionary");
          }
        }
      }
      // the type of `x as {...}` (and everything inside it) is a cast
      ts.forEachChild(n, (c) =>
        visit(
          c,
          amb,
          cast || ((ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) && c === n.type),
        ),
      );
    };
    visit(sf, false, false);
  };
  for (const sf of ownFiles) visitOwn(sf);

  // String literals equal to a candidate: keys unless compared or enum-like values.
  for (const lit of literalUses) {
    const text = lit.text;
    if (!candidates.has(text) || reserved.has(text)) continue;
    const p = lit.parent;
    if (ts.isCaseClause(p)) continue;
    if (
      ts.isBinaryExpression(p) &&
      [
        ts.SyntaxKind.EqualsEqualsEqualsToken,
        ts.SyntaxKind.ExclamationEqualsEqualsToken,
        ts.SyntaxKind.EqualsEqualsToken,
        ts.SyntaxKind.ExclamationEqualsToken,
      ].includes(p.operatorToken.kind)
    )
      continue;
    if (ts.isImportDeclaration(p) || ts.isExportDeclaration(p) || ts.isExternalModuleReference(p))
      continue;
    const ct = checker.getContextualType(lit);
    // `origin` is where TypeScript keeps `keyof T` for a union it resolved (TS >= 4.2).
    const origin = ct && (ct as ts.Type & { origin?: ts.Type }).origin;
    const fromKeyof = !!origin && (origin.flags & ts.TypeFlags.Index) !== 0;
    const enumLike =
      !!ct &&
      !fromKeyof &&
      (ct.isStringLiteral() ||
        (ct.isUnion() &&
          ct.types.every((t) => t.isStringLiteral() || (t.flags & ts.TypeFlags.Undefined) !== 0)));
    if (enumLike) continue;
    reserve(text, "string-key");
  }

  const mangled = [...candidates].filter((n) => !reserved.has(n) && !n.startsWith("_")).sort();
  const kept = new Map<string, ReserveRule[]>();
  for (const n of [...candidates].sort()) {
    const r = reserved.get(n);
    if (r) kept.set(n, r);
  }
  const regex = new RegExp("^(_.*" + mangled.map((n) => "|" + n).join("") + ")$");
  const cache: Record<string, false> = {};
  for (const n of [...reserved.keys()].sort()) cache[n] = false;
  return {
    mangled,
    kept,
    regex,
    cache,
    reserved,
    files: ownFiles.map((f) => relative(root, f.fileName).split(sep).join("/")).sort(),
  };
}

const USAGE = "node --import tsx scripts/mangle-names.ts [--list] [--dom] [--entry <file>]...";

function main(argv: string[]): number {
  const args = parseScriptArgs(
    "mangle-names",
    argv,
    {
      list: { type: "boolean" },
      dom: { type: "boolean" },
      entry: { type: "string", multiple: true },
    },
    USAGE,
  );
  if (!args) return 2;
  const list = args.values["list"] === true;
  const dom = args.values["dom"] === true;
  const extraFiles = (args.values["entry"] as string[] | undefined) ?? [];
  const m = mangleNames({ extraFiles, dom });
  if (!list) {
    console.log(m.regex.source);
    return 0;
  }
  console.log("sources (" + m.files.length + "): " + m.files.join(" "));
  console.log("\nmangled (" + m.mangled.length + "), plus every name starting with _:");
  console.log("  " + m.mangled.join(" "));
  console.log("\nkept: declared by our code but reserved (" + m.kept.size + "):");
  const byRule = new Map<string, string[]>();
  for (const [n, rules] of m.kept) {
    const k = rules.join(",");
    byRule.set(k, [...(byRule.get(k) ?? []), n]);
  }
  for (const [k, names] of [...byRule].sort()) console.log("  [" + k + "] " + names.join(" "));
  console.log("\nregex: " + m.regex.source);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
