// A validator for the subset of JSON Schema (draft-07) that boards/board.schema.json uses:
// type, enum, pattern, minLength, minimum, maximum, anyOf, properties, required,
// additionalProperties, items and local $ref ("#/definitions/..."). Its messages come from
// the schema's `errorMessage` (ajv-errors' form: one string, or one per keyword), so the
// schema that gives editors their checking also gives the loader its wording. Host-only.
//
// It stops at the first problem, in a fixed order (an object's unknown keys, then its
// properties in the schema's order), and reports it as a path and a message: one clear
// message per bad file, as the rest of the loader.

export interface JsonSchema {
  $ref?: string;
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  enum?: readonly unknown[];
  pattern?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: readonly JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  definitions?: Record<string, JsonSchema>;
  errorMessage?: string | Record<string, string>;
}

/** The first place `value` breaks the schema: its path ("spi.cs", "reserved[0].end") and why. */
export interface SchemaProblem {
  /** "" for the document itself. */
  path: string;
  /** What the value must be, from the schema's errorMessage ("must be a non-empty string"). */
  message: string;
  /** false when the problem is the key itself (an unknown field), not its value. */
  showValue: boolean;
  /** The value found there (undefined when missing). */
  value: unknown;
}

/** Checks `value` against `schema` (whose root holds the definitions); null when it conforms. */
export function checkSchema(schema: JsonSchema, value: unknown): SchemaProblem | null {
  return check(schema, schema, value, "");
}

function check(root: JsonSchema, s: JsonSchema, v: unknown, path: string): SchemaProblem | null {
  if (s.$ref !== undefined) {
    const name = /^#\/definitions\/(.+)$/.exec(s.$ref)?.[1];
    const target = name === undefined ? undefined : root.definitions?.[name];
    if (!target) throw new Error("board schema: unresolved $ref " + s.$ref);
    return check(root, target, v, path);
  }
  const bad = (keyword: string): SchemaProblem => ({
    path,
    message: messageFor(s, keyword),
    showValue: true,
    value: v,
  });
  if (s.anyOf && !s.anyOf.some((branch) => check(root, branch, v, path) === null))
    return bad("anyOf");
  if (s.type !== undefined && !hasType(v, s.type)) return bad("type");
  if (s.enum && !s.enum.includes(v)) return bad("enum");
  if (typeof v === "string") {
    if (s.minLength !== undefined && v.length < s.minLength) return bad("minLength");
    if (s.pattern !== undefined && !new RegExp(s.pattern).test(v)) return bad("pattern");
  }
  if (typeof v === "number") {
    if (s.minimum !== undefined && v < s.minimum) return bad("minimum");
    if (s.maximum !== undefined && v > s.maximum) return bad("maximum");
  }
  if (Array.isArray(v) && s.items) {
    for (let i = 0; i < v.length; i++) {
      const p = check(root, s.items, v[i], path + "[" + i + "]");
      if (p) return p;
    }
  }
  if (isObject(v) && (s.properties || s.additionalProperties !== undefined)) {
    const props = s.properties ?? {};
    for (const [key, item] of Object.entries(v)) {
      if (key in props) continue;
      const child = join(path, key);
      if (s.additionalProperties === false)
        return {
          path: child,
          message: messageFor(s, "additionalProperties"),
          showValue: false,
          value: item,
        };
      if (typeof s.additionalProperties === "object") {
        const p = check(root, s.additionalProperties, item, child);
        if (p) return p;
      }
    }
    for (const [key, sub] of Object.entries(props)) {
      // A missing required field is checked as `undefined`, so that it is reported with
      // what the field must be ("must be a non-empty string, got nothing").
      if (v[key] === undefined && !(s.required ?? []).includes(key)) continue;
      const p = check(root, sub, v[key], join(path, key));
      if (p) return p;
    }
  }
  return null;
}

function join(path: string, key: string): string {
  return path === "" ? key : path + "." + key;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function hasType(v: unknown, type: NonNullable<JsonSchema["type"]>): boolean {
  switch (type) {
    case "object":
      return isObject(v);
    case "array":
      return Array.isArray(v);
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    default:
      return typeof v === type;
  }
}

function messageFor(s: JsonSchema, keyword: string): string {
  const m = s.errorMessage;
  if (typeof m === "string") return m;
  const own = m?.[keyword];
  if (own !== undefined) return own;
  if (keyword === "enum" && s.enum)
    return "must be one of " + s.enum.map((e) => JSON.stringify(e)).join(", ");
  if (keyword === "type") return "must be of type " + s.type;
  return "does not match the schema (" + keyword + ")";
}
