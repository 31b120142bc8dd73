// Bundles the CLI, the API and the worker thread with esbuild (for start-up time: what a run
// does not use is never loaded), with --dist the GitHub Action into one file in dist/
// (committed), and with --types emits the API's declarations with tsc.
import { build } from "esbuild";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
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
const buildAction = process.argv.includes("--dist") && existsSync(path.join(root, action.in));
// The CLI, the API, the worker and the corpus script are built together with code splitting:
// what they share, and what the CLI only imports when needed (formatters, --fix, js-yaml…),
// goes to build/chunk-*.js, so that a one-file run parses and initialises only what it uses.
// Chunks of earlier builds are removed afterwards (not before: tests run the CLI meanwhile).
const built = await build({
  ...common,
  entryPoints: Object.fromEntries(entries.map((e) => [path.basename(e.out, ".js"), e.in])),
  outdir: path.join(root, "build"),
  splitting: true,
  chunkNames: "chunk-[name]-[hash]",
  metafile: true,
});
const fresh = new Set(Object.keys(built.metafile.outputs).map((f) => path.resolve(root, f)));
for (const f of readdirSync(path.join(root, "build")))
  if (/^chunk-.*\.js$/.test(f) && !fresh.has(path.join(root, "build", f)))
    rmSync(path.join(root, "build", f));
if (buildAction)
  await build({ ...common, entryPoints: [action.in], outfile: action.out, splitting: false });
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
