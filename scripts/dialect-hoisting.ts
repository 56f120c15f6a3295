// Use before declaration, for scripts/check-dialect.ts. Espruino hoists neither function
// declarations nor `var`: a statement that runs before a declaration's statement and uses
// the name fails ("f" is not defined), or reads null.
//
// 1. Scopes: every identifier reference is resolved to its binding (function, block,
//    catch, for-head and class scopes; `var` and function declarations belong to the
//    function), and each binding remembers the statement list that declares it and the
//    index of the declaring statement there.
// 2. For each statement list L and each statement i of it, the code that statement runs
//    when it runs (not the functions it merely creates) is walked, following calls and
//    `new` of the functions and classes it names, immediately invoked functions, callbacks
//    of array iterators (forEach, map, ...) and, by method name, the methods and getters it
//    calls on objects. A reference to a binding of L declared after statement i is a finding.
//    Only code inside L's own scope is followed: nothing else can see L's bindings.

import type { N } from "./dialect-ast.js";
import { children, isFn, isReference, patternNames, walk } from "./dialect-ast.js";

interface Binding {
  name: string;
  kind: string;
  /** The statement list that declares it and the declaring statement's index there. */
  list: N[] | undefined;
  index: number;
  /** A function or class it names: what a call or `new` runs. */
  value: N | undefined;
  line: number;
}

interface Scope {
  parent: Scope | undefined;
  names: Map<string, Binding>;
  /** The function scope that `var` and function declarations go to. */
  fn: Scope;
}

/** Array methods that call their callback before they return. */
const SYNC_CALLBACKS = [
  "forEach",
  "map",
  "filter",
  "some",
  "every",
  "find",
  "findIndex",
  "reduce",
  "reduceRight",
  "sort",
];

/** Whether `n` is an argument of `parent`, a call of an array method in SYNC_CALLBACKS. */
function passedToSyncCallback(n: N, parent: N | undefined): boolean {
  return (
    parent !== undefined &&
    parent.type === "CallExpression" &&
    parent.arguments.includes(n as never) &&
    parent.callee.type === "MemberExpression" &&
    !parent.callee.computed &&
    parent.callee.property.type === "Identifier" &&
    SYNC_CALLBACKS.includes(parent.callee.property.name)
  );
}

export type HoistReport = (n: N, message: string) => void;

const lineOf = (n: N): number => (n.loc ? n.loc.start.line : 0);

export function checkHoisting(program: N, report: HoistReport): void {
  const refs = new Map<N, Binding>();
  /** Statement lists and the node that owns each (for the "inside L's scope" test). */
  const lists: Array<{ list: N[]; owner: N }> = [];
  const methods = new Map<string, N[]>();
  const getters = new Map<string, N[]>();

  const newScope = (parent: Scope | undefined, isFunction: boolean): Scope => {
    const s = { parent, names: new Map<string, Binding>() } as Scope;
    s.fn = isFunction || !parent ? s : parent.fn;
    return s;
  };
  const bind = (scope: Scope, name: string, b: Omit<Binding, "name">): void => {
    if (!scope.names.has(name)) scope.names.set(name, { name, ...b });
  };
  /** A name no statement list declares (a parameter, a catch or class-expression name...), at `at`'s line. */
  const bindLocal = (scope: Scope, name: string, kind: string, at: N, value?: N): void =>
    bind(scope, name, { kind, value, list: undefined, index: 0, line: lineOf(at) });
  const lookup = (scope: Scope | undefined, name: string): Binding | undefined => {
    for (let s = scope; s; s = s.parent) {
      const b = s.names.get(name);
      if (b) return b;
    }
    return undefined;
  };
  const valueOf = (init: N | null | undefined): N | undefined =>
    init && (isFn(init) || init.type === "ClassExpression") ? init : undefined;

  /** Declares the names a statement list introduces; `body`: the list is a function's (or the program's) body. */
  const declareList = (scope: Scope, list: N[], body: boolean): void => {
    list.forEach((s, index) => {
      const at = { list, index, line: lineOf(s) };
      if (s.type === "FunctionDeclaration" && s.id) {
        bind(scope, s.id.name, { kind: "function", value: s, ...at });
      } else if (s.type === "ClassDeclaration" && s.id) {
        bind(scope, s.id.name, { kind: "class", value: s, ...at });
      } else if (s.type === "VariableDeclaration" && s.kind !== "var") {
        for (const d of s.declarations) {
          const value = d.id.type === "Identifier" ? valueOf(d.init) : undefined;
          for (const name of patternNames(d.id)) bind(scope, name, { kind: s.kind, value, ...at });
        }
      }
      if (body) {
        // Every `var` of the function, in any nested block, belongs to this list.
        walk(s, (n) => {
          if (isFn(n) || n.type === "ClassDeclaration" || n.type === "ClassExpression")
            return false;
          if (n.type === "VariableDeclaration" && n.kind === "var") {
            for (const d of n.declarations) {
              const value = d.id.type === "Identifier" ? valueOf(d.init) : undefined;
              for (const name of patternNames(d.id))
                bind(scope.fn, name, { kind: "var", value, ...at });
            }
          }
          return undefined;
        });
      }
    });
  };

  const visitList = (list: N[], owner: N, scope: Scope, body: boolean): void => {
    lists.push({ list, owner });
    declareList(scope, list, body);
    for (const s of list) visit(s, scope, owner);
  };

  const visit = (n: N, scope: Scope, parent: N | undefined): void => {
    if (isFn(n)) {
      let outer = scope;
      if (n.type === "FunctionExpression" && n.id) {
        outer = newScope(scope, false);
        bindLocal(outer, n.id.name, "function", n, n);
      }
      const fs = newScope(outer, true);
      for (const p of n.params) {
        for (const name of patternNames(p)) {
          bindLocal(fs, name, "param", p);
        }
      }
      for (const p of n.params) visit(p, fs, n);
      if (n.body.type === "BlockStatement") visitList(n.body.body, n.body, fs, true);
      else visit(n.body, fs, n);
      return;
    }
    switch (n.type) {
      case "BlockStatement":
      case "StaticBlock":
        visitList(n.body, n, newScope(scope, false), false);
        return;
      case "SwitchStatement": {
        visit(n.discriminant, scope, n);
        const bs = newScope(scope, false);
        for (const c of n.cases) {
          lists.push({ list: c.consequent, owner: n });
          declareList(bs, c.consequent, false);
        }
        for (const c of n.cases) {
          if (c.test) visit(c.test, bs, c);
          for (const s of c.consequent) visit(s, bs, c);
        }
        return;
      }
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement": {
        const decl = n.type === "ForStatement" ? n.init : n.left;
        if (decl && decl.type === "VariableDeclaration" && decl.kind !== "var") {
          const fsc = newScope(scope, false);
          for (const d of decl.declarations) {
            for (const name of patternNames(d.id)) {
              bindLocal(fsc, name, decl.kind, d);
            }
          }
          for (const c of children(n)) visit(c, fsc, n);
          return;
        }
        break;
      }
      case "CatchClause": {
        const cs = newScope(scope, false);
        if (n.param) {
          for (const name of patternNames(n.param)) {
            bindLocal(cs, name, "catch", n);
          }
        }
        for (const c of children(n)) visit(c, cs, n);
        return;
      }
      case "ClassExpression":
      case "ClassDeclaration": {
        for (const m of n.body.body) {
          if (
            m.type === "MethodDefinition" &&
            m.kind !== "constructor" &&
            !m.computed &&
            m.key.type === "Identifier"
          ) {
            const index = m.kind === "get" ? getters : methods;
            index.set(m.key.name, [...(index.get(m.key.name) ?? []), m.value]);
          }
        }
        if (n.type === "ClassExpression" && n.id) {
          const cs = newScope(scope, false);
          bindLocal(cs, n.id.name, "class", n, n);
          for (const c of children(n)) visit(c, cs, n);
          return;
        }
        break;
      }
      case "Property":
        if (!n.computed && n.key.type === "Identifier" && isFn(n.value)) {
          const index = n.kind === "get" ? getters : methods;
          index.set(n.key.name, [...(index.get(n.key.name) ?? []), n.value]);
        }
        break;
      case "Identifier":
        if (isReference(n, parent)) {
          const b = lookup(scope, n.name);
          if (b) refs.set(n, b);
        }
        return;
      default:
        break;
    }
    for (const c of children(n)) visit(c, scope, n);
  };

  if (program.type !== "Program") return;
  visitList(program.body, program, newScope(undefined, true), true);

  // ---- 2. what each statement runs ----

  const construction = (cls: N): N[] => {
    if (cls.type !== "ClassDeclaration" && cls.type !== "ClassExpression") return [];
    const out: N[] = [];
    for (const m of cls.body.body) {
      if (m.type === "MethodDefinition" && m.kind === "constructor") out.push(m.value.body);
      else if (m.type === "PropertyDefinition" && !m.static && m.value) out.push(m.value);
    }
    return out;
  };

  const reported = new Set<N>();
  for (const { list, owner } of lists) {
    let last = -1;
    for (const b of new Set(refs.values())) if (b.list === list) last = Math.max(last, b.index);
    if (last <= 0) continue;
    const inside = (n: N): boolean => n.start >= owner.start && n.end <= owner.end;
    for (let i = 0; i < last; i++) {
      const stmt = list[i] as N;
      // A function declaration runs nothing; a class declaration runs its extends and static parts.
      if (stmt.type === "FunctionDeclaration") continue;
      const seen = new Set<N>();
      const run = (root: N, via: string): void => {
        walk(root, (n, anc) => {
          const parent = anc[anc.length - 1];
          if (n !== root && isFn(n)) {
            const iife = parent && parent.type === "CallExpression" && parent.callee === n;
            const callback = passedToSyncCallback(n, parent);
            if ((iife || callback) && !seen.has(n)) {
              seen.add(n);
              run(n.body, via);
            }
            return false;
          }
          if (n.type === "ClassDeclaration" || n.type === "ClassExpression") {
            if (n.superClass) run(n.superClass, via);
            for (const m of n.body.body) {
              if ((m.type === "MethodDefinition" || m.type === "PropertyDefinition") && m.computed)
                run(m.key, via);
              if (m.type === "PropertyDefinition" && m.static && m.value) run(m.value, via);
              if (m.type === "StaticBlock") run(m, via);
            }
            return false;
          }
          if (
            n.type === "UnaryExpression" &&
            n.operator === "typeof" &&
            n.argument.type === "Identifier"
          ) {
            return false;
          }
          const callee =
            parent &&
            (parent.type === "CallExpression" || parent.type === "NewExpression") &&
            parent.callee === n;
          if (n.type === "Identifier") {
            const b = refs.get(n);
            if (!b) return undefined;
            if (b.list === list && b.index > i && !reported.has(n)) {
              reported.add(n);
              const what =
                b.kind === "var" || b.kind === "let" || b.kind === "const" ? b.kind : b.kind;
              report(
                n,
                "uses " +
                  what +
                  ' "' +
                  b.name +
                  '" before its declaration on line ' +
                  b.line +
                  (via ? " (through " + via + ")" : "") +
                  " (Espruino does not hoist functions or var)",
              );
            }
            const passed = passedToSyncCallback(n, parent);
            const v = b.value;
            if (v && (callee || passed) && !seen.has(v) && inside(v)) {
              seen.add(v);
              const label = via || n.name + "() on line " + lineOf(n);
              if (isFn(v)) run(v.body, label);
              else {
                for (const part of construction(v)) run(part, label);
                const sup = (v as Extract<N, { type: "ClassExpression" }>).superClass;
                if (sup && sup.type === "Identifier") {
                  const sb = refs.get(sup);
                  if (sb && sb.value && !seen.has(sb.value) && inside(sb.value)) {
                    seen.add(sb.value);
                    for (const part of construction(sb.value)) run(part, label);
                  }
                }
              }
            }
            return undefined;
          }
          if (n.type === "MemberExpression" && !n.computed && n.property.type === "Identifier") {
            const name = n.property.name;
            const targets = callee ? methods.get(name) : getters.get(name);
            for (const f of targets ?? []) {
              if (seen.has(f) || !inside(f) || !isFn(f)) continue;
              seen.add(f);
              run(f.body, via || "." + name + "() on line " + lineOf(n));
            }
          }
          return undefined;
        });
      };
      run(stmt, "");
    }
  }
}
