// Lint: typescript-eslint's recommended rules everywhere; for device code (src/core,
// firmware/, the src/boards files the firmware imports) the constructs Espruino's
// interpreter does not run (docs/DIALECT.md: the bundle checker, scripts/check-dialect.ts,
// checks the built output again; this catches them at the source line); and the import
// arrows of DESIGN.md "Shape", one rule per folder.
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
  {
    selector: "NewExpression[callee.name=/^(Map|Set|WeakMap|WeakSet|Symbol|Proxy)$/]",
    message: "Espruino: no Map/Set/Symbol/Proxy.",
  },
  { selector: "PrivateIdentifier", message: "Espruino: no #private fields." },
  {
    selector: "MemberExpression[object.property.name='prototype'][object.object.name='Array']",
    message: "Espruino: Array.prototype is undefined.",
  },
  {
    selector: "ClassDeclaration[superClass.name='Error']",
    message: "Espruino: extends Error fails.",
  },
  { selector: "StaticBlock", message: "Espruino: no static blocks." },
];

/** The src/boards files the firmware imports: device code, written in the dialect. */
const boardDeviceFiles = [
  "src/boards/schema.ts",
  "src/boards/geometry.ts",
  "src/boards/firmware-files.ts",
];

/** One no-restricted-imports rule: every import whose specifier matches `regex` is refused. */
const onlyImports = (regex, message) => ["error", { patterns: [{ regex, message }] }];

/** The arrows of DESIGN.md "Shape": which folder may import which. */
const boundaries = [
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": onlyImports(
        "^(?!\\./)",
        "src/core imports only src/core: it knows neither Espruino's globals nor Node (DESIGN.md, Shape).",
      ),
    },
  },
  {
    files: ["src/codec/**/*.ts"],
    rules: {
      "no-restricted-imports": onlyImports(
        "^(?!\\./)",
        "src/codec imports only src/codec (DESIGN.md, Shape).",
      ),
    },
  },
  {
    files: boardDeviceFiles,
    rules: {
      "no-restricted-imports": onlyImports(
        "^(?!\\./(schema|geometry|firmware-files)\\.js$|\\.\\./core/)",
        "A device file of src/boards imports only src/core and the other device files (DESIGN.md, Shape).",
      ),
    },
  },
  {
    files: ["src/boards/**/*.ts"],
    ignores: boardDeviceFiles,
    rules: {
      "no-restricted-imports": onlyImports(
        "^\\.\\./(cli|sim)/",
        "src/boards imports neither src/cli nor src/sim (DESIGN.md, Shape).",
      ),
    },
  },
  {
    files: ["src/host/**/*.ts"],
    rules: {
      "no-restricted-imports": onlyImports(
        "^\\.\\./(cli|sim)/",
        "src/host imports neither src/cli nor src/sim (DESIGN.md, Shape).",
      ),
    },
  },
  {
    files: ["src/sim/**/*.ts"],
    rules: {
      "no-restricted-imports": onlyImports(
        "^\\.\\./cli/",
        "src/sim does not import src/cli (DESIGN.md, Shape).",
      ),
    },
  },
  {
    files: ["firmware/**/*.ts"],
    rules: {
      "no-restricted-imports": onlyImports(
        "^(?!\\./|\\.\\./src/core/|\\.\\./src/boards/(schema|geometry|firmware-files)\\.js$)",
        "firmware/ imports only firmware/, src/core and the device files of src/boards (DESIGN.md, Shape).",
      ),
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "firmware/dist/",
      "coverage/",
      "test-output/",
      "scripts/dialect-probe.js",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["src/core/**/*.ts", "firmware/**/*.ts", ...boardDeviceFiles],
    rules: {
      "no-restricted-syntax": ["error", ...espruinoUnsupported],
      "no-loop-func": "error",
      "no-use-before-define": ["error", { functions: true, classes: true, variables: true }],
    },
  },
  ...boundaries,
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        require: "readonly",
        module: "writable",
      },
    },
  },
);
