/**
 * The programmatic API as a user gets it: a separate package that depends on "drainlint"
 * (a symlink in its node_modules, as `npm link` makes), importing `lint` from the package's
 * exports, at run time (ESM) and at type-check time (the declarations `prepare` emits).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lint } from "../src/engine/lint.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const FIXTURE = path.join(ROOT, "fixtures/readiness-probe-missing/invalid-deployment-port.yaml");
let app: string;

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    // Our declarations are checked too: a consumer without skipLibCheck must compile.
    skipLibCheck: false,
    types: ["node"],
    typeRoots: [path.join(ROOT, "node_modules/@types")],
  },
  include: ["*.ts"],
};

beforeAll(() => {
  // The bundle and the declarations, as `npm install` (prepare) builds them.
  execFileSync(process.execPath, [path.join(ROOT, "scripts/build.mjs"), "--types"], {
    cwd: ROOT,
    stdio: "pipe",
  });
  app = mkdtempSync(path.join(os.tmpdir(), "drainlint-api-"));
  mkdirSync(path.join(app, "node_modules"));
  symlinkSync(ROOT, path.join(app, "node_modules/drainlint"), "dir");
  writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "app", type: "module", private: true }),
  );
  writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify(TSCONFIG));
}, 180_000);
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('import { lint } from "drainlint"', () => {
  it("lints from a separate package at run time", async () => {
    writeFileSync(
      path.join(app, "run.mjs"),
      `import { lint, RULES, loadFormatter, VERSION } from "drainlint";
const result = await lint({ paths: [process.argv[2]] });
const sarif = await loadFormatter("sarif");
console.log(JSON.stringify({
  findings: result.findings.map((f) => [f.ruleId, f.line, f.column]),
  rules: RULES.length,
  version: VERSION,
  sarifVersion: JSON.parse(sarif({ result, version: VERSION, color: false, cwd: process.cwd() })).version,
}));
`,
    );
    const r = spawnSync(process.execPath, ["run.mjs", FIXTURE], { cwd: app, encoding: "utf8" });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    const expected = await lint({ paths: [FIXTURE], cwd: app });
    expect(out.findings).toEqual(expected.findings.map((f) => [f.ruleId, f.line, f.column]));
    expect(out.findings.length).toBeGreaterThan(0);
    expect(out.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(out.sarifVersion).toBe("2.1.0");
  });

  it("type-checks a TypeScript consumer against the published declarations", () => {
    writeFileSync(
      path.join(app, "ok.ts"),
      `import { lint, type Finding, type LintOptions, type LintResult } from "drainlint";
const options: LintOptions = { paths: ["k8s/"], settings: { kubeVersion: "1.30" } };
const result: LintResult = await lint(options);
const errors: Finding[] = result.findings.filter((f) => f.severity === "error");
const where: string[] = errors.map((f) => \`\${f.file}:\${f.line}:\${f.column} \${f.ruleId}\`);
const fixable: number = result.summary.fixable;
export { where, fixable };
`,
    );
    const ok = spawnSync(process.execPath, [TSC, "-p", "tsconfig.json"], {
      cwd: app,
      encoding: "utf8",
    });
    expect(ok.stdout + ok.stderr).toBe("");
    expect(ok.status).toBe(0);

    // The types are real: misuse is an error, not an `any` that lets it through.
    writeFileSync(
      path.join(app, "bad.ts"),
      `import { lint } from "drainlint";
const line: string = (await lint({ paths: ["."] })).findings[0].line;
await lint({ path: "k8s/" });
export { line };
`,
    );
    const bad = spawnSync(process.execPath, [TSC, "-p", "tsconfig.json"], {
      cwd: app,
      encoding: "utf8",
    });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain("bad.ts(2,7): error TS2322");
    expect(bad.stdout).toContain("bad.ts(3,14): error TS2561");
    rmSync(path.join(app, "bad.ts"));
  });
});
