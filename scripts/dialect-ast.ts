// A small generic walker over acorn's ESTree nodes, for scripts/check-dialect.ts
// (acorn-walk is not a dependency). Host-only.

import type { AnyNode } from "acorn";

export type N = AnyNode;
export type Fn = Extract<
  N,
  { type: "FunctionDeclaration" | "FunctionExpression" | "ArrowFunctionExpression" }
>;

export const isFn = (n: N): n is Fn =>
  n.type === "FunctionDeclaration" ||
  n.type === "FunctionExpression" ||
  n.type === "ArrowFunctionExpression";

export function isNode(v: unknown): v is N {
  return typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string";
}

/** The child nodes of `n`, in source order (every property holding nodes). */
export function children(n: N): N[] {
  const out: N[] = [];
  for (const key of Object.keys(n)) {
    if (key === "loc" || key === "type" || key === "start" || key === "end" || key === "range")
      continue;
    const v = (n as unknown as Record<string, unknown>)[key];
    if (Array.isArray(v)) {
      for (const x of v) if (isNode(x)) out.push(x);
    } else if (isNode(v)) out.push(v);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Visits every node, parents first; `visit` gets the ancestors (nearest last). Returning false skips children. */
export function walk(root: N, visit: (n: N, ancestors: N[]) => boolean | void): void {
  const stack: N[] = [];
  const go = (n: N): void => {
    if (visit(n, stack) === false) return;
    stack.push(n);
    for (const c of children(n)) go(c);
    stack.pop();
  };
  go(root);
}

/** True when Identifier `n` (child of `parent`) is a read or write of a variable, not a key, label or declaration. */
export function isReference(n: N, parent: N | undefined): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case "MemberExpression":
      return parent.object === n || parent.computed;
    case "Property":
      return parent.value === n || (parent.computed && parent.key === n);
    case "MethodDefinition":
    case "PropertyDefinition":
      return parent.computed && parent.key === n;
    case "LabeledStatement":
    case "BreakStatement":
    case "ContinueStatement":
      return false;
    case "VariableDeclarator":
      return parent.init === n;
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return parent.body === n;
    case "ClassDeclaration":
    case "ClassExpression":
      return parent.superClass === n;
    case "CatchClause":
      return parent.param !== n;
    case "MetaProperty":
      return false;
    default:
      return true;
  }
}

/** The names a binding pattern declares (`a`, `{a, b: [c]}`, `...r`, `x = 1`). */
export function patternNames(p: N): string[] {
  switch (p.type) {
    case "Identifier":
      return [p.name];
    case "ObjectPattern":
      return p.properties.flatMap((q) =>
        q.type === "RestElement" ? patternNames(q.argument) : patternNames(q.value),
      );
    case "ArrayPattern":
      return p.elements.flatMap((e) => (e ? patternNames(e) : []));
    case "RestElement":
      return patternNames(p.argument);
    case "AssignmentPattern":
      return patternNames(p.left);
    default:
      return [];
  }
}
