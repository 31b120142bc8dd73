/**
 * End to end: the real `drainlint` binary (bin/drainlint.js → build/cli.js, built by
 * `npm test`), spawned as a user runs it. Exit codes 0/1/2 exactly as SPEC §5 says.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const BIN = path.join(ROOT, "bin", "drainlint.js");
const PKG = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));

function run(
  args: string[],
  opts: { cwd?: string; input?: string; env?: Record<string, string> } = {},
) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input ?? "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "0", ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "drainlint-e2e-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const SERVING = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{ containerPort: 8080 }]
          lifecycle: { preStop: { sleep: { seconds: 5 } } }
`;
const WARN_ONLY = `apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  containers:
    - name: p
      image: p:1
      readinessProbe: { tcpSocket: { port: 80 } }
      livenessProbe: { tcpSocket: { port: 80 } }
`;
const CLEAN = `apiVersion: v1
kind: ConfigMap
metadata: { name: c }
data: { a: "1" }
`;

describe("drainlint binary", () => {
  it("built before the tests (npm test builds first)", () => {
    expect(existsSync(path.join(ROOT, "build", "cli.js"))).toBe(true);
  });

  it("--version prints the package version", () => {
    const r = run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it("--help lists the options and exit codes", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    for (const flag of [
      "--format",
      "--output",
      "--rule",
      "--fail-on",
      "--list-rules",
      "--explain",
      "--stdin-filename",
      "--no-ignore",
      "--quiet",
      "--no-color",
      "--version",
    ])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/Exit codes/);
  });

  it("an unknown flag exits 2 with one clear line", () => {
    const r = run(["--formt", "json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown option --formt; did you mean --format\?/);
  });

  it("a missing path exits 2 with one clear line", () => {
    const r = run(["no/such/dir"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("drainlint: no such file or directory: no/such/dir");
  });

  it("bad flag values exit 2", () => {
    expect(run(["--format", "xml", "."]).code).toBe(2);
    expect(run(["--fail-on", "sometimes", "."]).code).toBe(2);
    const r = run(["--rule", "readiness-probe-mising=off", "."]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "readiness-probe-missing"');
    expect(run(["--rule", "readiness-probe-missing=loud", "."]).code).toBe(2);
  });

  it("exit 1 for findings at or above --fail-on, 0 otherwise", () => {
    const dir = tmp({ "web.yaml": SERVING, "warn.yaml": WARN_ONLY, "clean.yaml": CLEAN });
    expect(run(["web.yaml"], { cwd: dir }).code).toBe(1);
    expect(run(["clean.yaml"], { cwd: dir }).code).toBe(0);
    expect(run(["warn.yaml"], { cwd: dir }).code).toBe(0);
    expect(run(["warn.yaml", "--fail-on", "warning"], { cwd: dir }).code).toBe(1);
    expect(run(["web.yaml", "--fail-on", "never"], { cwd: dir }).code).toBe(0);
    expect(run(["web.yaml", "--rule", "readiness-probe-missing=off"], { cwd: dir }).code).toBe(0);
    expect(run(["web.yaml", "--rule", "readiness-probe-missing=warning"], { cwd: dir }).code).toBe(
      0,
    );
  });

  it("stylish: file, line:col, severity, message, rule id, summary; no colour when asked", () => {
    const dir = tmp({ "k8s/web.yaml": SERVING });
    const r = run(["k8s", "--no-color"], { cwd: dir });
    expect(r.stdout).toContain("k8s/web.yaml");
    expect(r.stdout).toMatch(
      / 8:11 +error +Container "web" receives traffic.*readiness-probe-missing/,
    );
    expect(r.stdout).toMatch(/fix: Add a readinessProbe/);
    expect(r.stdout).toMatch(/✖ 1 problem \(0 fixable with --fix\): 1 error, 0 warnings, 0 infos/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it("json: exactly the SPEC §6 shape, paths relative to the working directory", () => {
    const dir = tmp({
      "k8s/web.yaml": SERVING,
      Dockerfile: 'FROM node:20\nCMD ["node", "server.js"]\n',
    });
    const r = run(["-f", "json", "."], { cwd: dir });
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["schemaVersion", "tool", "summary", "findings"]);
    expect(out.schemaVersion).toBe(1);
    expect(out.tool).toEqual({ name: "drainlint", version: PKG.version });
    expect(out.summary).toMatchObject({
      files: 2,
      objects: 2,
      errors: 1,
      warnings: 0,
      infos: 0,
      fixable: 0,
    });
    const f = out.findings[0];
    for (const key of [
      "ruleId",
      "severity",
      "message",
      "file",
      "line",
      "column",
      "endLine",
      "endColumn",
      "object",
      "container",
      "source",
      "suggestions",
      "fix",
    ])
      expect(f).toHaveProperty(key);
    expect(f).toMatchObject({
      ruleId: "readiness-probe-missing",
      file: "k8s/web.yaml",
      line: 8,
      column: 11,
      object: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: null },
      container: "web",
      source: null,
      fix: null,
    });
    expect(f.suggestions[0].snippet).toContain("readinessProbe:");
  });

  it("-o writes the report to a file and prints nothing", () => {
    const dir = tmp({ "web.yaml": SERVING });
    const r = run(["web.yaml", "-f", "json", "-o", "out/report.json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(
      JSON.parse(readFileSync(path.join(dir, "out/report.json"), "utf8")).findings,
    ).toHaveLength(1);
  });

  it("reads standard input with -, named by --stdin-filename, Helm sources kept", () => {
    const helm = `---\n# Source: web/templates/deployment.yaml\n${SERVING}`;
    const r = run(["-", "--stdin-filename", "rendered.yaml", "-f", "json"], { input: helm });
    const out = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(out.findings[0]).toMatchObject({
      file: "rendered.yaml",
      source: { file: "web/templates/deployment.yaml" },
      line: 10,
    });
    const plain = JSON.parse(run(["-", "-f", "json"], { input: SERVING }).stdout);
    expect(plain.findings[0].file).toBe("<stdin>");
  });

  it("--quiet reports errors only", () => {
    const dir = tmp({ "warn.yaml": WARN_ONLY, "web.yaml": SERVING });
    const r = run([".", "--quiet", "-f", "json"], { cwd: dir });
    expect(JSON.parse(r.stdout).findings.map((f: { severity: string }) => f.severity)).toEqual([
      "error",
    ]);
    expect(run(["warn.yaml", "--quiet"], { cwd: dir }).stdout).toBe("");
  });

  it("--list-rules lists every rule; --explain prints its doc", () => {
    const list = run(["--list-rules"]);
    expect(list.code).toBe(0);
    for (const id of [
      "readiness-probe-missing",
      "liveness-tighter-than-readiness",
      "parse-error",
      "helm-template-unrendered",
      "invalid-annotation",
    ])
      expect(list.stdout).toContain(id);
    const explain = run(["--explain", "readiness-probe-missing"]);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain("# readiness-probe-missing");
    expect(explain.stdout).toContain("## Why this breaks graceful shutdown");
    const bad = run(["--explain", "readyness-probe-missing"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean "readiness-probe-missing"');
  });

  it("stops quietly when its reader closes the pipe early (`drainlint k8s/ | head`)", async () => {
    const child = spawn(process.execPath, [BIN, "fixtures", "-f", "sarif"], { cwd: ROOT });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(1); // the findings' exit code, as if the whole report had been read
  });

  it("lints the bundled fixtures (the README quick start) with findings", () => {
    const r = run(["fixtures/", "--no-color"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/readiness-probe-missing/);
    expect(r.stdout).toMatch(/✖ \d+ problems/);
  });
});

describe("file discovery (SPEC §1)", () => {
  it("skips what git ignores and .drainlintignore lists; --no-ignore and explicit files lint them", () => {
    const dir = tmp({
      ".git/HEAD": "ref: refs/heads/main\n",
      ".git/info/exclude": "excluded.yaml\n",
      ".gitignore": "generated/\n",
      "app/.gitignore": "local.yaml\n!keep.yaml\n",
      ".drainlintignore": "vendor/**\n",
      "generated/web.yaml": SERVING,
      "excluded.yaml": SERVING,
      "app/local.yaml": SERVING,
      "app/keep.yaml": SERVING,
      "vendor/x/web.yaml": SERVING,
      "node_modules/pkg/web.yaml": SERVING,
      "app/web.yml": SERVING,
    });
    const files = (args: string[]) =>
      [
        ...new Set(
          JSON.parse(run([...args, "-f", "json"], { cwd: dir }).stdout).findings.map(
            (f: { file: string }) => f.file,
          ),
        ),
      ].sort();
    expect(files(["."])).toEqual(["app/keep.yaml", "app/web.yml"]);
    expect(files([".", "--no-ignore"])).toEqual([
      "app/keep.yaml",
      "app/local.yaml",
      "app/web.yml",
      "excluded.yaml",
      "generated/web.yaml",
      "vendor/x/web.yaml",
    ]);
    expect(files(["generated/web.yaml"])).toEqual(["generated/web.yaml"]);
  });

  it("finds YAML, JSON and Dockerfiles by name, and passes over other files", () => {
    const dir = tmp({
      "a.yaml": CLEAN,
      "b.yml": CLEAN,
      "c.json": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}',
      "package.json": '{"name": "x"}',
      Dockerfile: "FROM scratch\n",
      "api.Dockerfile": "FROM scratch\n",
      "Dockerfile.dev": "FROM scratch\n",
      Containerfile: "FROM scratch\n",
      "notes.txt": "not linted",
      "README.md": "# not linted",
    });
    const out = JSON.parse(run([".", "-f", "json"], { cwd: dir }).stdout);
    expect(out.summary.files).toBe(8); // the YAML, the JSON (package.json is read, then passed over) and 4 Dockerfiles
  });
});
