/**
 * The GitHub Action, run as the runner runs it: `node dist/index.js` with INPUT_* variables,
 * GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files, in a temporary copy of a workspace. Checks the
 * workflow commands on stdout, the job summary, the outputs, the SARIF file and the exit code;
 * and that the committed bundle is what the sources build to.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lint } from "../src/engine/lint.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const BUNDLE = path.join(ROOT, "dist/index.js");
let workspace: string;

interface Run {
  status: number | null;
  stdout: string;
  summary: string;
  outputs: Record<string, string>;
}

/** Runs the bundled Action with `inputs` in `cwd`, the way the runner does. */
function runAction(cwd: string, inputs: Record<string, string>): Run {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drainlint-action-run-"));
  const summaryFile = path.join(dir, "summary.md");
  const outputFile = path.join(dir, "output.txt");
  writeFileSync(summaryFile, "");
  writeFileSync(outputFile, "");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    GITHUB_WORKSPACE: cwd,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = spawnSync(process.execPath, [BUNDLE], { cwd, env, encoding: "utf8" });
  const outputs: Record<string, string> = {};
  // The toolkit writes `name<<delimiter\nvalue\ndelimiter` blocks.
  const re = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  const outText = readFileSync(outputFile, "utf8");
  for (let m; (m = re.exec(outText));) outputs[m[1]] = m[3];
  const summary = readFileSync(summaryFile, "utf8");
  rmSync(dir, { recursive: true, force: true });
  return { status: r.status, stdout: r.stdout + r.stderr, summary, outputs };
}

function commands(stdout: string, name: string): string[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith(`::${name} `) || l.startsWith(`::${name}::`));
}

beforeAll(() => {
  workspace = mkdtempSync(path.join(os.tmpdir(), "drainlint-action-ws-"));
  cpSync(path.join(ROOT, "fixtures"), path.join(workspace, "fixtures"), { recursive: true });
  cpSync(
    path.join(ROOT, "fixtures/readiness-probe-missing/valid-probes-and-non-serving.yaml"),
    path.join(workspace, "clean/ok.yaml"),
  );
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe("the GitHub Action", () => {
  it("action.yml runs the committed bundle on node24 with the documented inputs and outputs", () => {
    const action = parse(readFileSync(path.join(ROOT, "action.yml"), "utf8"));
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(Object.keys(action.inputs).sort()).toEqual(
      ["annotations", "config", "fail-on", "kube-version", "path", "sarif-file"].sort(),
    );
    expect(action.inputs.annotations.default).toBe("true");
    expect(Object.keys(action.outputs).sort()).toEqual(["errors", "findings", "sarif-file"]);
    expect(existsSync(BUNDLE)).toBe(true);
  });

  it("the repository's workflow runs this Action on the fixtures", () => {
    const wf = parse(readFileSync(path.join(ROOT, ".github/workflows/drainlint.yml"), "utf8"));
    const steps = Object.values(
      wf.jobs as Record<string, { steps: Record<string, any>[] }>,
    ).flatMap((j) => j.steps);
    const self = steps.find((s) => s.uses === "./");
    expect(self?.with?.path).toBe("fixtures/");
  });

  it("dist/index.js is up to date with the sources (npm run build:action)", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts/build.mjs"), "--check-dist"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.stderr + r.stdout).toContain("dist/index.js is up to date");
    expect(r.status).toBe(0);
  });

  it("annotates, summarises, writes SARIF and outputs, and fails on errors", async () => {
    const expected = await lint({ paths: ["fixtures"], cwd: workspace, config: true });
    const budget = expected.findings.find((f) => f.budget);
    const r = runAction(workspace, { path: "fixtures", "sarif-file": "reports/drainlint.sarif" });
    expect(r.status).toBe(1);

    // One annotation per finding, with file, line and column.
    const annotations = [
      ...commands(r.stdout, "error"),
      ...commands(r.stdout, "warning"),
      ...commands(r.stdout, "notice"),
    ].filter((l) => l.includes("file="));
    expect(annotations).toHaveLength(expected.findings.length);
    const rp = expected.findings.find((f) => f.ruleId === "readiness-probe-missing")!;
    expect(r.stdout).toContain(
      `::error title=drainlint readiness-probe-missing,file=${rp.file},line=${rp.line},endLine=${rp.endLine},col=${rp.column},endColumn=${rp.endColumn}::`,
    );
    expect(r.stdout).toMatch(
      new RegExp(`::error::drainlint: ${expected.summary.errors} findings? at or above error`),
    );

    // Outputs.
    expect(r.outputs).toEqual({
      findings: String(expected.findings.length),
      errors: String(expected.summary.errors),
      "sarif-file": "reports/drainlint.sarif",
    });

    // SARIF in the workspace.
    const sarif = JSON.parse(readFileSync(path.join(workspace, "reports/drainlint.sarif"), "utf8"));
    expect(sarif.runs[0].results).toHaveLength(expected.findings.length);

    // The summary: a row per finding, and the budget arithmetic where a finding has one.
    expect(r.summary).toContain("## drainlint");
    expect(r.summary).toContain("| Severity | Rule | Location | Object | Message |");
    const rows = r.summary.split("\n").filter((l) => /^\| (❌|⚠️|ℹ️) /.test(l));
    expect(rows).toHaveLength(expected.findings.length);
    expect(r.summary).toContain(`<code>${rp.file}:${rp.line}:${rp.column}</code>`);
    if (budget?.budget) {
      expect(r.summary).toContain("### Drain budget arithmetic");
      expect(r.summary).toContain(`| **budget** | **${budget.budget.total}s** | |`);
      expect(r.summary).toContain(`SIGKILL at ${budget.budget.grace}s`);
    }
  });

  it("follows fail-on and annotations", () => {
    const never = runAction(workspace, {
      path: "fixtures",
      "fail-on": "never",
      annotations: "false",
    });
    expect(never.status).toBe(0);
    expect(commands(never.stdout, "error")).toEqual([]);
    expect(commands(never.stdout, "warning").filter((l) => l.includes("file="))).toEqual([]);
    expect(Number(never.outputs.findings)).toBeGreaterThan(0);
    expect(never.outputs["sarif-file"]).toBe("");

    const clean = runAction(workspace, { path: "clean", "fail-on": "info" });
    expect(clean.status).toBe(0);
    expect(clean.outputs.findings).toBe("0");
    expect(clean.summary).toContain("No problems in");

    const bad = runAction(workspace, { path: "fixtures", "fail-on": "sometimes" });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(
      "::error::drainlint: fail-on must be one of error, warning, info, never",
    );
    const missing = runAction(workspace, { path: "nope" });
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain("::error::drainlint: no such file or directory: nope");
  });

  it("reads the config input and kube-version", async () => {
    const cfg = path.join(workspace, "ci/drainlint.yaml");
    mkdirSync(path.dirname(cfg), { recursive: true });
    writeFileSync(cfg, "rules:\n  readiness-probe-missing: off\n");
    const off = runAction(workspace, {
      path: "fixtures/readiness-probe-missing",
      config: "ci/drainlint.yaml",
      "sarif-file": "",
    });
    expect(off.stdout).not.toContain("title=drainlint readiness-probe-missing");
    const on = runAction(workspace, { path: "fixtures/readiness-probe-missing", "sarif-file": "" });
    expect(on.stdout).toContain("::error title=drainlint readiness-probe-missing");

    // kube-version reaches the rules: native preStop sleep (the autofix) needs Kubernetes 1.30.
    const fixable = async (kubeVersion: string) =>
      (
        await lint({
          paths: ["fixtures/prestop-exec-in-distroless"],
          cwd: workspace,
          settings: { kubeVersion },
        })
      ).summary.fixable;
    for (const version of ["1.29", "1.31"]) {
      const r = runAction(workspace, {
        path: "fixtures/prestop-exec-in-distroless",
        "kube-version": version,
        "fail-on": "never",
        "sarif-file": `k${version}.sarif`,
      });
      const sarif = JSON.parse(readFileSync(path.join(workspace, `k${version}.sarif`), "utf8"));
      const withFixes = sarif.runs[0].results.filter((x: { fixes?: unknown[] }) => x.fixes).length;
      expect(withFixes).toBe(await fixable(version));
      expect(r.summary).toContain(`${await fixable(version)} fixable`);
    }
    expect(await fixable("1.31")).toBeGreaterThan(await fixable("1.29"));

    const badVersion = runAction(workspace, { path: "clean", "kube-version": "v1.31" });
    expect(badVersion.status).toBe(1);
    expect(badVersion.stdout).toContain("kube-version must look like 1.31");
    const badConfig = runAction(workspace, { path: "clean", config: "missing.yaml" });
    expect(badConfig.status).toBe(1);
    expect(badConfig.stdout).toMatch(/::error::drainlint: .*missing\.yaml/);
  });
});
