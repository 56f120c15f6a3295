// Lint: typescript-eslint's recommended rules everywhere, and for device code (src/core,
// firmware) the constructs Espruino's interpreter does not run (docs/DIALECT.md). The bundle
// checker (scripts/check-dialect.ts) checks the built output again; this catches them at
// the source line.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const espruinoUnsupported = [
  { selector: "SpreadElement", message: "Espruino: no spread." },
  { selector: "RestElement", message: "Espruino: no rest parameters or rest destructuring." },
  { selector: "AssignmentPattern", message: "Espruino: no default parameters." },
  { selector: "ObjectPattern", message: "Espruino: no destructuring." },
  { selector: "ArrayPattern", message: "Espruino: no destructuring." },
  { selector: "BinaryExpression[operator='**']", message: "Espruino: no ** (use Math.pow)." },
  { selector: "AssignmentExpression[operator='**=']", message: "Espruino: no **=." },
  { selector: "ChainExpression", message: "Espruino: no optional chaining." },
  { selector: ":function[async=true]", message: "Espruino: no async functions." },
  { selector: ":function[generator=true]", message: "Espruino: no generators." },
  { selector: "LabeledStatement", message: "Espruino: no labels." },
  { selector: "TaggedTemplateExpression", message: "Espruino: no tagged templates." },
  { selector: "NewExpression[callee.name=/^(Map|Set|WeakMap|WeakSet|Symbol|Proxy)$/]", message: "Espruino: no Map/Set/Symbol/Proxy." },
  { selector: "PrivateIdentifier", message: "Espruino: no #private fields." },
  { selector: "MemberExpression[object.property.name='prototype'][object.object.name='Array']", message: "Espruino: Array.prototype is undefined." },
  { selector: "ClassDeclaration[superClass.name='Error']", message: "Espruino: extends Error fails." },
  { selector: "StaticBlock", message: "Espruino: no static blocks." },
];

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "firmware/dist/", "coverage/", "test-output/", "scripts/dialect-probe.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["src/core/**/*.ts", "firmware/**/*.ts"],
    rules: {
      "no-restricted-syntax": ["error", ...espruinoUnsupported],
      "no-loop-func": "error",
      "no-use-before-define": ["error", { functions: true, classes: true, variables: true }],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: { globals: { console: "readonly", process: "readonly", require: "readonly", module: "writable" } },
  },
);
