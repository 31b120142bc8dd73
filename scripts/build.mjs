// Bundles the CLI and the API with esbuild (one file each, for start-up time), the GitHub
// Action into dist/ (committed), and with --types emits the API's declarations with tsc.
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: false,
  logLevel: "warning",
  absWorkingDir: root,
  // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __drainlintCreateRequire } from 'node:module'; const require = __drainlintCreateRequire(import.meta.url);",
  },
};
// The config validator is Ajv standalone code generated from the schema (no compile at start-up).
execFileSync(process.execPath, [path.join(root, "scripts/gen-config-validator.mjs")], {
  stdio: "inherit",
});
const entries = [
  { in: "src/cli.ts", out: "build/cli.js" },
  { in: "src/index.ts", out: "build/index.js" },
  { in: "scripts/corpus.ts", out: "build/corpus.js" },
];
if (existsSync(path.join(root, "src/action.ts")))
  entries.push({ in: "src/action.ts", out: "dist/index.js" });
await Promise.all(
  entries.map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out, splitting: false })),
);
if (process.argv.includes("--types")) {
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      stdio: "inherit",
      cwd: root,
    },
  );
}
