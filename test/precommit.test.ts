/**
 * The pre-commit hook with the real `pre-commit` program (Debian package): a temporary git
 * repository whose .pre-commit-config.yaml points at a clone of this repository's current
 * commit. pre-commit installs the hook as it does for users (language: node: npm install,
 * which builds through `prepare`, then npm pack and a global install into its own env),
 * and `git commit` runs it on the staged files.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const hasPreCommit = spawnSync("pre-commit", ["--version"], { encoding: "utf8" }).status === 0;
let tmp: string;
let project: string;
let env: NodeJS.ProcessEnv;

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 400_000 });
}

function commit(message: string): { status: number | null; output: string } {
  const r = sh("git", ["commit", "-m", message], project);
  return { status: r.status, output: r.stdout + r.stderr };
}

const GOOD = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - name: web
          image: web:1
          ports: [{ containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /ready, port: 8080 } }
          lifecycle: { preStop: { httpGet: { path: /drain, port: 8080 } } }
`;

describe.skipIf(!hasPreCommit)("pre-commit hook (real pre-commit)", () => {
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "drainlint-precommit-"));
    // The whole environment goes through: npm needs its proxy and CA settings to install.
    env = {
      ...process.env,
      PRE_COMMIT_HOME: path.join(tmp, "cache"),
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
      GIT_CONFIG_NOSYSTEM: "1",
    };
    // When the suite itself runs inside a git hook, these would point git at the wrong repository.
    for (const k of ["GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"]) delete env[k];
    const hookRepo = path.join(tmp, "hook-repo");
    expect(sh("git", ["clone", "--quiet", ROOT, hookRepo], tmp).status).toBe(0);
    const rev = sh("git", ["rev-parse", "HEAD"], hookRepo).stdout.trim();
    project = path.join(tmp, "project");
    mkdirSync(project);
    expect(sh("git", ["init", "--quiet"], project).status).toBe(0);
    writeFileSync(
      path.join(project, ".pre-commit-config.yaml"),
      `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: drainlint\n        verbose: true\n`,
    );
    const install = sh("pre-commit", ["install", "--install-hooks"], project);
    expect(install.stdout + install.stderr).toContain("pre-commit installed");
    expect(install.status).toBe(0);
    sh("git", ["add", ".pre-commit-config.yaml"], project);
    expect(commit("config").status).toBe(0);
  }, 600_000);
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("fails the commit of a bad manifest, showing the finding", () => {
    cpSync(
      path.join(ROOT, "fixtures/readiness-probe-missing/invalid-deployment-port.yaml"),
      path.join(project, "k8s/web.yaml"),
    );
    sh("git", ["add", "k8s/web.yaml"], project);
    const r = commit("bad manifest");
    expect(r.output).toMatch(/drainlint\.+Failed/);
    expect(r.output).toContain("k8s/web.yaml");
    expect(r.output).toContain("readiness-probe-missing");
    expect(r.status).not.toBe(0);
    // Nothing was committed: the manifest is still staged.
    expect(sh("git", ["diff", "--cached", "--name-only"], project).stdout).toContain(
      "k8s/web.yaml",
    );
  });

  it("passes the commit of a good manifest", () => {
    writeFileSync(path.join(project, "k8s/web.yaml"), GOOD);
    sh("git", ["add", "k8s/web.yaml"], project);
    const r = commit("good manifest");
    expect(r.output).toMatch(/drainlint\.+Passed/);
    expect(r.status).toBe(0);
  });

  it("does not fail on an unrendered Helm chart (an info finding)", () => {
    mkdirSync(path.join(project, "chart/templates"), { recursive: true });
    writeFileSync(
      path.join(project, "chart/Chart.yaml"),
      "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
    );
    writeFileSync(
      path.join(project, "chart/templates/deployment.yaml"),
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    sh("git", ["add", "chart"], project);
    const r = commit("chart");
    expect(r.output).toMatch(/drainlint\.+Passed/);
    expect(r.output).toContain("helm-template-unrendered");
    expect(r.status).toBe(0);
  });

  it("skips files that are neither manifests nor Dockerfiles", () => {
    writeFileSync(path.join(project, "README.md"), "# readiness-probe-missing\n");
    sh("git", ["add", "README.md"], project);
    const r = commit("docs");
    expect(r.output).toMatch(/drainlint\.+\(no files to check\)Skipped/);
    expect(r.status).toBe(0);
  });
});

if (!hasPreCommit)
  console.warn(
    "test/precommit.test.ts skipped: the pre-commit program is not installed (apt-get install -y pre-commit)",
  );
