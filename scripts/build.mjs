// Bundles the CLI and the API with esbuild (one file each, for start-up time), with --dist the
// GitHub Action into dist/ (committed), and with --types emits the API's declarations with tsc.
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
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
  // Worker threads of big runs (src/engine/workers.ts loads it from beside the bundle).
  { in: "src/engine/worker-entry.ts", out: "build/worker.js" },
  { in: "scripts/corpus.ts", out: "build/corpus.js" },
];
// The Action bundle is committed, so only --dist (npm run build:action) rewrites it, and
// --check-dist (a test, CI) rebuilds it in memory and fails when the committed file differs.
const action = { in: "src/action.ts", out: "dist/index.js" };
if (process.argv.includes("--check-dist")) {
  const fresh = await build({
    ...common,
    entryPoints: [action.in],
    outfile: action.out,
    splitting: false,
    write: false,
  });
  const file = path.join(root, action.out);
  const committed = existsSync(file) ? readFileSync(file, "utf8") : null;
  if (committed !== fresh.outputFiles[0].text) {
    process.stderr.write(
      `${action.out} is ${committed === null ? "missing" : "out of date"}: run \`npm run build:action\` and commit it\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`${action.out} is up to date\n`);
  process.exit(0);
}
if (process.argv.includes("--dist") && existsSync(path.join(root, action.in))) entries.push(action);
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
