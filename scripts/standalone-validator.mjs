// Shared by the validator generators: compiles a JSON Schema into standalone Ajv code (an ESM
// module, formatted with prettier) so nothing compiles a schema at run time (SPEC §9), and
// runs the generator as a script: write the module when it changed, or with --check exit 1
// when it is stale.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const Ajv = require("ajv").default;
const standaloneCode = require("ajv/dist/standalone").default;

/**
 * The module text for `schemaFile` (relative to the repository): `header` lines, the
 * validator, then `trailer(schema)`.
 */
export async function standaloneModule({ schemaFile, outFile, ajvOptions, header, trailer }) {
  const schema = JSON.parse(readFileSync(path.join(root, schemaFile), "utf8"));
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    ...ajvOptions,
    code: { source: true, esm: true },
  });
  const code = standaloneCode(ajv, ajv.compile(schema));
  if (/\brequire\(/.test(code))
    throw new Error("the generated validator needs Ajv's runtime (require); avoid such keywords");
  const text =
    header.map((l) => `// ${l}\n`).join("") +
    "// @ts-nocheck\n/* eslint-disable */\n" +
    code.replace(/^"use strict";/, "") +
    trailer(schema);
  const prettier = await import("prettier");
  const outPath = path.join(root, outFile);
  const options = (await prettier.resolveConfig(outPath)) ?? {};
  return prettier.format(text, { ...options, parser: "typescript" });
}

/** The script part: `generate()` gives the text; writes `outFile`, or checks it with --check. */
export async function runGenerator({ label, outFile, regenerate, generate }) {
  const outPath = path.join(root, outFile);
  const text = await generate();
  const old = existsSync(outPath) ? readFileSync(outPath, "utf8") : "";
  if (process.argv.includes("--check")) {
    if (old !== text) {
      console.error(`stale generated file: ${outFile} (run ${regenerate})`);
      process.exit(1);
    }
  } else if (old !== text) {
    writeFileSync(outPath, text);
    console.log(`${label}: updated ${outFile}`);
  }
}

export function isMain(url) {
  return Boolean(process.argv[1]) && path.resolve(process.argv[1]) === fileURLToPath(url);
}
