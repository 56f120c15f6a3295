// The resident code's layout in its Storage file (FirmwareFile.Core, .mtdcore), made from
// the resident bundle: each top-level function written out as a declaration of its own,
// then a loader that makes every one of them with `Function(params..., body)`, where the
// body is a slice of the Storage file itself (`c.substr(offset, length)`), and runs the
// bundle's top-level statements (the entry call among them).
//
// Why (docs/FOOTPRINT.md, DESIGN.md "Resident and on-demand code"):
// - Defining a function by running its declaration lexes its whole body to find its end,
//   and where Storage is not memory-mapped that is one flash read per 16 bytes: lexing the
//   resident code was 2.2-3.0 L of an 11-14 L boot, 4-6.7 L of a 17-26 L one. `Function`
//   keeps its last argument as the code without parsing it (src/jswrap_functions.c), and
//   `substr` of a flash string only makes a new pointer to it (src/jsvar.c
//   jsvNewFromStringVar): the same functions made so took 0.6-0.8 L against 2.3-2.8 L.
// - A function made by `Function` has no scope of its own to keep: 4 JsVars and one per
//   parameter, against 5 and one for a declared one, which also holds the scope it was
//   declared in, and with it every function declared beside it.
// - Such a function sees only the globals, so every top-level name of the bundle (its
//   functions and its variables) becomes a property of one global object, RESIDENT_GLOBAL,
//   with a short name; the functions that run only at boot are deleted from it after the
//   entry call, which frees them.
//
// The declarations stay in the file so that it is one valid script that the tools can
// parse (the dialect checker, the benches); the boot never lexes them: .boot0 runs the
// loader alone, from where it starts (bootStub in src/boards/firmware-files.ts).

import { parse } from "acorn";
import { transform } from "esbuild";
import { analyze } from "eslint-scope";
import MagicString from "magic-string";

/** The global object the resident code's top-level names live on. */
export const RESIDENT_GLOBAL = "$mtd";

/** How the loader starts: `F` makes the functions, `m` is RESIDENT_GLOBAL. */
const LOADER_HEAD = "var F=Function,m=global." + RESIDENT_GLOBAL + "={};";

/** One function the loader makes. */
export interface ResidentFunction {
  /** Its name in the bundle (the source's, or esbuild's for a collision). */
  source: string;
  /** Its property on RESIDENT_GLOBAL. */
  name: string;
  params: string[];
  /** Where its body (between the braces) is in the core file. */
  start: number;
  length: number;
}

export interface SlicedResident {
  /** The core file's text: the declarations, a newline, the loader. */
  core: string;
  /** Where the loader starts in `core`. */
  loaderStart: number;
  functions: ResidentFunction[];
  /** Source names of the functions deleted after the entry call. */
  released: string[];
}

interface Node {
  type: string;
  start: number;
  end: number;
  [k: string]: unknown;
}
interface FunctionNode extends Node {
  id: { name: string } | null;
  params: Node[];
  body: Node;
}

const KEYWORDS = new Set(
  (
    "do if in for let new try var case else enum eval null this true void with await break " +
    "catch class const false super throw while yield delete export import public return " +
    "static switch typeof default extends finally package private continue debugger " +
    "function arguments interface protected implements instanceof undefined NaN Infinity"
  ).split(" "),
);

const LOADER_NAMES = new Set(["F", "m", "c"]);

/** Short property names, shortest first: a..z, A..Z, then two letters. */
function* shortNames(): Generator<string> {
  const first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  // Not the loader's own names (F, m, c): the file then parses as one script with no name
  // declared twice.
  for (const c of first) if (!LOADER_NAMES.has(c)) yield c;
  for (const a of first)
    for (const b of first + "0123456789") {
      const n = a + b;
      if (!KEYWORDS.has(n)) yield n;
    }
}

/** Every node of the tree under `n`. */
function* nodes(n: unknown): Generator<Node> {
  if (!n || typeof n !== "object") return;
  if (Array.isArray(n)) {
    for (const x of n) yield* nodes(x);
    return;
  }
  const o = n as Node;
  if (typeof o.type === "string") yield o;
  for (const k of Object.keys(o)) if (k !== "type") yield* nodes(o[k]);
}

async function minify(code: string): Promise<string> {
  const out = await transform(code, {
    minify: true,
    target: "es2015",
    charset: "ascii",
    legalComments: "none",
  });
  return out.code.trim();
}

/**
 * Lays `code` out as the core file (see the top of this file). `code` is the resident
 * bundle with its names as written (esbuild's ESM output): top-level function
 * declarations, variable declarations and statements. `bootOnly` are the source names of
 * the functions to delete after the entry call; a name absent from the bundle is a backend
 * the board does not use. Throws on anything the layout cannot carry: a top-level class,
 * import or export, a destructured declaration, a parameter that is not a plain name, a
 * boot-only name the bundler renamed (two modules declaring it), no start().
 */
export async function sliceResident(
  code: string,
  bootOnly: readonly string[],
): Promise<SlicedResident> {
  const ast = parse(code, { ecmaVersion: 2020, sourceType: "module", ranges: true });
  const scopes = analyze(ast as never, { ecmaVersion: 2020, sourceType: "module" });
  const top = scopes.globalScope?.childScopes[0];
  if (!top || top.type !== "module") throw new Error("the resident bundle has no module scope");
  const body = (ast as unknown as { body: Node[] }).body;

  const vars = [...top.variables].sort((a, b) => b.references.length - a.references.length);
  // Shorthand properties ({log}) whose name is a top-level one are written out in full.
  const shorthand = new Set<number>();
  for (const n of nodes(ast))
    if (n.type === "Property" && n["shorthand"]) shorthand.add((n["value"] as Node).start);

  // A top-level variable set once, to a literal, is written in where it is read: a number
  // or a short string costs less than a property looked up at every use.
  const constants = new Map<string, string>();
  for (const v of vars) {
    const d = v.defs[0];
    const init = d && (d.node as unknown as { init?: Node | null }).init;
    if (
      v.defs.length === 1 &&
      d?.type === "Variable" &&
      init?.type === "Literal" &&
      v.references.every((r) => r.init || !r.isWrite())
    )
      constants.set(v.name, code.slice(init.start, init.end));
  }

  // Short property names for the rest, the most used first.
  const names = shortNames();
  const short = new Map<string, string>();
  for (const v of vars) if (!constants.has(v.name)) short.set(v.name, names.next().value as string);

  const ms = new MagicString(code);
  const prop = (name: string): string => RESIDENT_GLOBAL + "." + (short.get(name) as string);
  for (const v of vars)
    for (const r of v.references) {
      const id = r.identifier as unknown as Node & { name: string };
      const constant = constants.get(v.name);
      if (constant !== undefined && r.init) continue; // the declarator, removed below
      const value = constant !== undefined ? constant : prop(id.name);
      ms.overwrite(id.start, id.end, (shorthand.has(id.start) ? id.name + ":" : "") + value);
    }

  const fns: FunctionNode[] = [];
  const statements: string[] = [];
  for (const n of body) {
    if (n.type === "FunctionDeclaration") {
      fns.push(n as FunctionNode);
      continue;
    }
    if (n.type === "VariableDeclaration") {
      const decls = n["declarations"] as Array<
        Node & { id: Node & { name: string }; init: Node | null }
      >;
      const first = decls[0];
      if (!first) continue;
      ms.remove(n.start, first.start); // the keyword: each declarator becomes an assignment
      let kept = 0;
      for (let i = 0; i < decls.length; i++) {
        const d = decls[i] as (typeof decls)[number];
        if (d.id.type !== "Identifier")
          throw new Error("a destructured top-level declaration cannot be laid out");
        if (constants.has(d.id.name)) {
          // Written in where it is read: the declarator goes, with its comma.
          const next = decls[i + 1];
          ms.remove(d.start, next ? next.start : d.end);
          continue;
        }
        kept++;
        if (!d.init) ms.overwrite(d.start, d.end, prop(d.id.name) + "=void 0");
      }
      if (!kept) {
        ms.remove(n.start, n.end);
        continue;
      }
    } else if (/^(Class|Import|Export)/.test(n.type))
      throw new Error("a top-level " + n.type + " cannot be laid out");
    statements.push(ms.slice(n.start, n.end));
  }

  // Each function minified alone: its locals and parameters get short names; the names of
  // the top level are properties by now, which the minifier leaves as they are.
  const made: Array<{ source: string; name: string; params: string[]; body: string }> = [];
  for (const f of fns) {
    const source = f.id ? f.id.name : "";
    for (const p of f.params)
      if (p.type !== "Identifier")
        throw new Error("function " + source + ": a parameter that is not a plain name");
    const params = f.params.length
      ? ms.slice((f.params[0] as Node).start, (f.params[f.params.length - 1] as Node).end)
      : "";
    const name = short.get(source) as string;
    const min = await minify(
      "function " + name + "(" + params + ")" + ms.slice(f.body.start, f.body.end),
    );
    const got = (parse(min, { ecmaVersion: 2020 }) as unknown as { body: FunctionNode[] }).body;
    const g = got[0];
    if (got.length !== 1 || !g || g.type !== "FunctionDeclaration" || g.id?.name !== name)
      throw new Error("function " + source + " did not minify to one declaration");
    made.push({
      source,
      name,
      params: g.params.map((p) => (p as Node & { name: string }).name),
      body: min.slice(g.body.start + 1, g.body.end - 1),
    });
  }

  const released: string[] = [];
  const declared = new Set(made.map((f) => f.source));
  for (const b of bootOnly) {
    if (declared.has(b)) released.push(b);
    else if ([...declared].some((d) => new RegExp("^" + b + "\\d+$").test(d)))
      throw new Error("the bundle renamed " + b + " (declared twice): its release would miss it");
  }
  if (!declared.has("start")) throw new Error("the resident bundle declares no start()");

  let core = "";
  const functions: ResidentFunction[] = [];
  for (const f of made) {
    core += "function " + f.name + "(" + f.params.join(",") + "){";
    functions.push({
      source: f.source,
      name: f.name,
      params: f.params,
      start: core.length,
      length: f.body.length,
    });
    core += f.body + "}";
  }
  core += "\n";
  const loaderStart = core.length;
  let loader = LOADER_HEAD;
  for (const f of functions)
    loader +=
      "m." +
      f.name +
      "=F(" +
      f.params.map((p) => JSON.stringify(p) + ",").join("") +
      "c.substr(" +
      f.start +
      "," +
      f.length +
      "));";
  loader += await minify(statements.join("\n"));
  if (!loader.endsWith(";")) loader += ";";
  for (const r of released) loader += "delete m." + (short.get(r) as string) + ";";
  core += loader + "\n";
  return { core, loaderStart, functions, released };
}

/**
 * Where the loader starts in a core file laid out by sliceResident(): after the last newline
 * followed by LOADER_HEAD. Not the first newline: the minifier writes a string holding a
 * newline as a template literal with the newline in it.
 */
export function loaderStartOf(core: string): number {
  const i = core.lastIndexOf("\n" + LOADER_HEAD);
  if (i < 0) throw new Error("not a core file laid out by sliceResident");
  return i + 1;
}

const MADE = /m\.([\w$]+)=F\((?:"[\w$]+",)*c\.substr\((\d+),(\d+)\)\);/g;
const RELEASE = /delete m\.([\w$]+);/g;

/**
 * What the loader makes: each function's property on RESIDENT_GLOBAL, where its body is in
 * `core`, and the loader's statement that makes it (run with the loader's `c`, `F` and `m`).
 */
export function madeFunctions(
  core: string,
): Array<{ name: string; start: number; length: number; statement: string }> {
  return [...core.slice(loaderStartOf(core)).matchAll(MADE)].map((m) => ({
    name: m[1] as string,
    start: Number(m[2]),
    length: Number(m[3]),
    statement: m[0],
  }));
}

/** The properties of RESIDENT_GLOBAL that the loader deletes after the entry call. */
export function releasedNames(core: string): string[] {
  return [...core.slice(loaderStartOf(core)).matchAll(RELEASE)].map((m) => m[1] as string);
}

/** `core` with the part from `from` to its final newline blanked: the same length, so that .boot0 still runs it. */
function blankFrom(core: string, from: number): string {
  return core.slice(0, from) + " ".repeat(core.length - 1 - from) + "\n";
}

/** `core` without the release of the boot-only functions (blanked, same length): what a boot holds without it. */
export function withoutRelease(core: string): string {
  const start = loaderStartOf(core);
  const first = core.slice(start).search(RELEASE);
  if (first < 0) throw new Error("the core file releases no boot-only function");
  return blankFrom(core, start + first);
}

/** `core` with the loader cut after it has made the functions (blanked, same length): the boot's definitions alone. */
export function definitionsOnly(core: string): string {
  const start = loaderStartOf(core);
  let end = -1;
  for (const m of core.slice(start).matchAll(MADE)) end = start + (m.index as number) + m[0].length;
  if (end < 0) throw new Error("the core file's loader makes no function");
  return blankFrom(core, end);
}
