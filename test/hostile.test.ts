/**
 * Issue 9, SPEC §10: hostile and broken input. Every case gives one clear line (a finding or
 * a notice) and the run goes on with the other documents and files; nothing crashes, hangs,
 * recurses without bound, pollutes prototypes, reaches the network or runs a shell.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run, type CliIO } from "../src/cli.js";
import { decodeText, encodeText, firstInvalidUtf8 } from "../src/read.js";
import type { Finding } from "../src/types.js";
import { lint, lintText, ruleIds } from "./helpers/lint.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const CLI = path.join(ROOT, "bin", "drainlint.js");
const BUILT = existsSync(path.join(ROOT, "build", "cli.js"));

/** A Deployment that gives exactly one finding: readiness-probe-missing at its container (line 9 of it). */
function deployment(name: string): string {
  return [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    "  template:",
    "    spec:",
    "      containers:",
    "      - name: web",
    "        image: nginx:1.27",
    "        ports:",
    "        - containerPort: 8080",
    "",
  ].join("\n");
}

/** The findings these tests are about; other rules may add theirs to the same objects. */
const WATCHED = new Set(["parse-error", "readiness-probe-missing"]);
function watched(findings: Finding[]): Finding[] {
  return findings.filter((f) => WATCHED.has(f.ruleId));
}

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "drainlint-hostile-"));
  temps.push(d);
  return d;
}
/**
 * The CLI as user nobody can run it: the checkout itself may sit below a directory only root
 * can enter (a CI clone in a fresh mktemp dir), so the bundle is copied to an open one then.
 */
function cliReadableBy(setpriv: string): string {
  const asNobody = (cli: string) =>
    spawnSync(
      setpriv,
      ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, cli, "--version"],
      {
        encoding: "utf8",
      },
    ).status === 0;
  if (asNobody(CLI)) return CLI;
  const open = tempDir();
  chmodSync(open, 0o755);
  cpSync(path.join(ROOT, "build"), path.join(open, "build"), { recursive: true });
  cpSync(path.join(ROOT, "bin"), path.join(open, "bin"), { recursive: true });
  cpSync(path.join(ROOT, "package.json"), path.join(open, "package.json"));
  const copy = path.join(open, "bin", "drainlint.js");
  if (!asNobody(copy)) throw new Error("user nobody cannot run a copy of the CLI either");
  return copy;
}

/** Paths a test made unreadable, given their permissions back before removal. */
const locked: string[] = [];
afterAll(() => {
  for (const p of locked) chmodSync(p, 0o755);
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

async function cli(
  argv: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: Buffer },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => opts.stdin ?? Buffer.alloc(0),
    cwd: opts.cwd,
    env: opts.env ?? {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
  };
  const code = await run(["--no-config", ...argv], io);
  return { code, stdout, stderr };
}

/** A deadline for one lint: a hang detector, generous on purpose (not a benchmark). */
function withinSeconds<T>(seconds: number, f: () => T): T {
  const start = performance.now();
  const out = f();
  expect((performance.now() - start) / 1000).toBeLessThan(seconds);
  return out;
}

describe("malformed YAML: one parse-error per broken document, with line and column", () => {
  const cases: { name: string; text: string; line: number; column: number }[] = [
    {
      name: "tab indentation",
      text: "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n",
      line: 4,
      column: 1,
    },
    {
      name: "unclosed flow sequence",
      text: "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: [a, b\n",
      line: 5,
      column: 1,
    },
    {
      name: "unclosed flow mapping",
      text: "apiVersion: v1\nkind: Pod\nmetadata: {name: x, labels: {a: b}\n",
      line: 4,
      column: 1,
    },
    {
      name: "bad indentation",
      text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: y\n  other: z\n",
      line: 4,
      column: 9,
    },
    {
      name: "duplicate keys",
      text: "apiVersion: v1\nkind: Pod\nkind: Pod\nmetadata:\n  name: x\n",
      line: 3,
      column: 1,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: one finding, and the next document is still linted`, () => {
      const r = lintText(`${c.text}---\n${deployment("after")}`);
      const parse = r.findings.filter((f) => f.ruleId === "parse-error");
      expect(parse.map((f) => [f.line, f.column])).toEqual([[c.line, c.column]]);
      expect(parse[0].message).toMatch(/^YAML syntax error: \S/);
      expect(parse[0].message).not.toMatch(/\n/);
      const nextDocLine = c.text.split("\n").length + 9;
      expect(r.findings.filter((f) => f.ruleId === "readiness-probe-missing")).toMatchObject([
        { line: nextDocLine, object: { name: "after" } },
      ]);
    });
  }

  for (const quote of ['"', "'"]) {
    it(`unclosed ${quote} quote: one finding at or before the next document marker`, () => {
      const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${quote}x\n`;
      const r = lintText(`${text}---\n${deployment("after")}`);
      const parse = r.findings.filter((f) => f.ruleId === "parse-error");
      expect(parse).toHaveLength(1);
      expect(parse[0].message).toMatch(/quote/i);
      expect(parse[0].line).toBeLessThanOrEqual(5);
    });
  }

  it("several broken documents: one finding each, no cascade", () => {
    const broken = "a: [1, 2\nb: {c\n\td: 'e\n";
    const r = lintText([broken, broken, deployment("ok")].join("---\n"));
    const parse = r.findings.filter((f) => f.ruleId === "parse-error");
    expect(parse.map((f) => f.line)).toEqual([2, 6]);
    expect(ruleIds(r)).toContain("readiness-probe-missing");
  });

  it("empty files, whitespace, comments only and bare markers give nothing", () => {
    for (const text of [
      "",
      "\n\n",
      "   \n\t\n",
      "# only\n# comments\n",
      "---\n",
      "---\n...\n",
      "\uFEFF",
    ])
      expect(lintText(text).findings, JSON.stringify(text)).toEqual([]);
  });
});

describe("encodings", () => {
  const yaml = deployment("enc");

  it("UTF-16 with a BOM (either order) and without one is decoded and linted at the same positions", () => {
    const utf8 = watched(lintText(yaml).findings).map((f) => [f.ruleId, f.line, f.column]);
    expect(utf8).toEqual([["readiness-probe-missing", 9, 9]]);
    const le = Buffer.from("\uFEFF" + yaml, "utf16le");
    const be = Buffer.from(le).swap16();
    const leNoBom = Buffer.from(yaml, "utf16le");
    const beNoBom = Buffer.from(leNoBom).swap16();
    for (const [buf, encoding, bom] of [
      [le, "utf-16le", true],
      [be, "utf-16be", true],
      [leNoBom, "utf-16le", false],
      [beNoBom, "utf-16be", false],
    ] as const) {
      const d = decodeText(buf);
      expect(d).toEqual({ text: yaml, bom, encoding });
      expect(encodeText(d.text, d.bom, d.encoding).equals(buf)).toBe(true);
    }
  });

  it("UTF-8 with a BOM round-trips byte for byte", () => {
    const buf = Buffer.from("\uFEFF" + yaml, "utf8");
    const d = decodeText(buf);
    expect(d).toEqual({ text: yaml, bom: true, encoding: "utf-8" });
    expect(encodeText(d.text, d.bom, d.encoding).equals(buf)).toBe(true);
  });

  it("finds the first byte that is not UTF-8", () => {
    expect(firstInvalidUtf8(Buffer.from("héllo ✓ 𝄞", "utf8"))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe9, 0x62]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong NUL
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x9c]))).toBe(1); // truncated
  });

  it("files in a directory: UTF-16 linted, Latin-1 and UTF-32 reported at the bad byte, binary a notice", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "a-utf16.yaml"), Buffer.from("\uFEFF" + yaml, "utf16le"));
    writeFileSync(
      path.join(dir, "b-latin1.yaml"),
      Buffer.concat([
        Buffer.from("apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf"),
        Buffer.from([0xe9, 0x0a]),
      ]),
    );
    writeFileSync(path.join(dir, "c-utf32.yaml"), Buffer.from([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0]));
    writeFileSync(
      path.join(dir, "d-binary.yaml"),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2]),
    );
    writeFileSync(path.join(dir, "e-ok.yaml"), deployment("ok"));
    const r = await lint({ paths: ["."], cwd: dir, settings: {} });
    expect(watched(r.findings).map((f) => [f.file, f.ruleId, f.line, f.column])).toEqual([
      ["a-utf16.yaml", "readiness-probe-missing", 9, 9],
      ["b-latin1.yaml", "parse-error", 4, 12],
      ["c-utf32.yaml", "parse-error", 1, 1],
      ["e-ok.yaml", "readiness-probe-missing", 9, 9],
    ]);
    expect(watched(r.findings)[1].message).toMatch(
      /not valid UTF-8 \(byte 0xE9 at line 4, column 12/,
    );
    expect(watched(r.findings)[2].message).toMatch(/UTF-32/);
    expect(r.notices).toEqual([
      { file: "d-binary.yaml", message: expect.stringMatching(/^binary file/) },
    ]);
    expect(r.sources.find((s) => s.displayPath === "a-utf16.yaml")?.encoding).toBe("utf-16le");
  });

  it("a binary file named explicitly, or piped in, is a finding; the exit code says so", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "blob.yaml"), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0xfd]));
    writeFileSync(
      path.join(dir, "ok.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
    const named = await cli(["-f", "json", "blob.yaml", "ok.yaml"], { cwd: dir });
    expect(named.code).toBe(1);
    const out = JSON.parse(named.stdout);
    expect(out.summary.files).toBe(2);
    expect(watched(out.findings)).toMatchObject([
      { file: "blob.yaml", ruleId: "parse-error", line: 1, column: 1 },
    ]);
    const piped = await cli(["-f", "json", "-"], { cwd: dir, stdin: Buffer.from([0, 0, 0x80, 1]) });
    expect(piped.code).toBe(1);
    expect(watched(JSON.parse(piped.stdout).findings)).toMatchObject([
      { file: "<stdin>", ruleId: "parse-error" },
    ]);
  });
});

describe("size and depth", () => {
  it("a 50 MB single file lints, with positions right to its last line", async () => {
    const dir = tempDir();
    const file = path.join(dir, "bundle.yaml");
    // Deployments between big ConfigMaps (dashboards as block scalars, as generated bundles have).
    const row =
      '    {"panel": 1, "title": "requests per second", "expr": "sum(rate(http_requests_total[5m]))"},\n';
    const configMap = (i: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dash-${i}\ndata:\n  dashboard.json: |\n${row.repeat(Math.ceil(1e6 / row.length))}`;
    const parts: string[] = [];
    let size = 0;
    const expectedLines: number[] = [];
    let lines = 0;
    for (let i = 0; size < 50 * 1024 * 1024; i++) {
      const part = `${deployment(`web-${i}`)}---\n${configMap(i)}---\n`;
      expectedLines.push(lines + 9);
      lines += part.split("\n").length - 1;
      parts.push(part);
      size += part.length;
    }
    writeFileSync(file, parts.join(""));
    expect(statSync(file).size).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    const r = await lint({ paths: [file], cwd: dir });
    expect(watched(r.findings).map((f) => f.line)).toEqual(expectedLines);
    expect(r.summary.objects).toBe(expectedLines.length * 2);
  });

  const N = 10_000;
  const deep: Record<string, string> = {
    "10,000 flow sequences": `spec: ${"[".repeat(N)}${"]".repeat(N)}\n`,
    "10,000 flow mappings": `spec: ${"{a: ".repeat(N)}1${"}".repeat(N)}\n`,
    // Indentation costs O(depth²) characters: 2,000 levels (2 MB) are far past any limit.
    "2,000 block mappings": `spec:\n${Array.from({ length: 2000 }, (_, i) => `${" ".repeat(i + 1)}k${i}:`).join("\n")} v\n`,
    "10,000 compact block sequences": `spec:\n  ${"- ".repeat(N)}v\n`,
  };
  for (const [name, body] of Object.entries(deep)) {
    it(`documents nested ${name} deep: one parse-error, the next document linted`, () => {
      const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: deep\n${body}---\n${deployment("after")}`;
      const r = withinSeconds(10, () => lintText(text));
      const parse = r.findings.filter((f) => f.ruleId === "parse-error");
      expect(parse).toHaveLength(1);
      expect(parse[0].message).toMatch(/nested too deeply|syntax error/);
      expect(parse[0].message).not.toMatch(/call stack/);
      expect(r.findings.filter((f) => f.ruleId === "readiness-probe-missing")).toHaveLength(1);
    });
  }

  it("JSON nested 10,000 deep", async () => {
    const dir = tempDir();
    const json = `{"apiVersion": "v1", "kind": "Pod", "spec": ${'{"a": '.repeat(N)}1${"}".repeat(N)}}\n`;
    writeFileSync(path.join(dir, "deep.json"), json);
    const r = await lint({ paths: ["deep.json"], cwd: dir });
    expect(r.findings.map((f) => f.ruleId)).toEqual(["parse-error"]);
  });

  it("the deepest nesting the parser accepts lints without a stack overflow in our walkers", () => {
    const doc = (depth: number) =>
      deployment("deepest").replace(
        "        image: nginx:1.27\n",
        `        image: nginx:1.27\n        env: ${"[".repeat(depth)}${"]".repeat(depth)}\n`,
      );
    // Find (coarsely) the depth where yaml starts refusing, here, then lint just below it.
    let depth = 4000;
    while (depth > 50 && lintText(doc(depth)).findings.some((f) => f.ruleId === "parse-error"))
      depth = Math.floor(depth * 0.9);
    expect(depth).toBeGreaterThan(50);
    for (const d of [depth, Math.floor(depth * 0.95)])
      expect(watched(lintText(doc(d)).findings).map((f) => f.ruleId)).toEqual([
        "readiness-probe-missing",
      ]);
  });

  it("nesting the parser accepts (300 levels inside a container) lints without a stack overflow", () => {
    const depth = 300;
    const nested = Array.from({ length: depth }, (_, i) => `${" ".repeat(10 + i * 2)}k${i}:`).join(
      "\n",
    );
    const text = deployment("deepish").replace(
      "        image: nginx:1.27\n",
      `        image: nginx:1.27\n        env:\n${nested} v\n`,
    );
    const r = lintText(text);
    expect(watched(r.findings).map((f) => f.ruleId)).toEqual(["readiness-probe-missing"]);
  });
});

describe("alias bombs are bounded in time and memory", () => {
  it("billion laughs in a workload: one parse-error, quickly", () => {
    let text =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: lol\n  annotations:\n    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (let i = 1; i < 20; i++)
      text += `    a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(", ")}]\n`;
    const before = process.memoryUsage().heapUsed;
    const r = withinSeconds(10, () => lintText(`${text}---\n${deployment("after")}`));
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(512 * 1024 * 1024);
    expect(watched(r.findings).map((f) => f.ruleId)).toEqual([
      "parse-error",
      "readiness-probe-missing",
    ]);
    expect(r.findings.find((f) => f.ruleId === "parse-error")!.message).toMatch(/alias/);
  });

  it("merge-key bombs (<<: [*a, *a, …] nested) inside a workload stay bounded", () => {
    let anchors = "x-defs:\n  m0: &m0 {image: nginx}\n";
    for (let i = 1; i < 12; i++)
      anchors += `  m${i}: &m${i}\n    <<: [${Array(8)
        .fill(`*m${i - 1}`)
        .join(", ")}]\n`;
    const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: merge\n${anchors}spec:\n  template:\n    spec:\n      containers:\n      - name: web\n        <<: *m11\n        ports: [{containerPort: 80}]\n`;
    const r = withinSeconds(10, () => lintText(text));
    expect(watched(r.findings).length).toBe(1);
  });

  it("an alias cycle through a merge key does not hang", () => {
    const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata: &m\n  name: cyc\n  <<: *m\nspec:\n  template:\n    spec:\n      containers: [{name: web, ports: [{containerPort: 80}]}]\n`;
    const r = withinSeconds(10, () => lintText(text));
    expect(watched(r.findings).length).toBe(1);
  });
});

describe("numbers and keys Kubernetes would reject", () => {
  it(".nan, .inf, huge and out-of-range numbers where integers belong do not crash the rules", () => {
    const values = [
      ".nan",
      ".inf",
      "-.inf",
      "1e400",
      "99999999999999999999999",
      "-0",
      "0x7fffffffffffffff",
      "1.5",
      "-3",
      "'10'",
      "null",
      "[]",
      "{}",
    ];
    for (const v of values) {
      const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: n
spec:
  template:
    spec:
      terminationGracePeriodSeconds: ${v}
      containers:
      - name: web
        ports: [{containerPort: ${v}}]
        readinessProbe: {httpGet: {port: ${v}}, periodSeconds: ${v}, failureThreshold: ${v}, timeoutSeconds: ${v}}
        livenessProbe: {httpGet: {port: 80}, periodSeconds: ${v}, failureThreshold: ${v}, successThreshold: ${v}}
        lifecycle: {preStop: {sleep: {seconds: ${v}}}}
`;
      const r = lintText(text);
      for (const f of r.findings) {
        expect(f.message, v).not.toMatch(/undefined|\[object Object\]|fraction (NaN|-?Infinity)/);
        expect(Number.isFinite(f.line) && Number.isFinite(f.column), v).toBe(true);
        // An autofix writes an integer Kubernetes accepts, never NaN, Infinity or 1e+23.
        for (const e of f.fix?.edits ?? []) expect(e.text, v).not.toMatch(/NaN|Infinity|e\+/);
      }
    }
  });

  it("__proto__ and constructor keys change nothing and pollute no prototype", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
  __proto__: {polluted: yes}
  annotations:
    __proto__: {drainlint.dev/ignore: readiness-probe-missing}
    constructor: {prototype: {polluted: yes}}
spec:
  __proto__: {containers: [{name: ghost, ports: [{containerPort: 1}]}]}
  constructor: {prototype: {polluted: yes}}
  containers:
  - name: web
    __proto__: {readinessProbe: {httpGet: {port: 80}}}
    constructor: {prototype: {readinessProbe: {}}}
    ports: [{containerPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, labels: {__proto__: x}}
__proto__: {spec: {template: {spec: {containers: []}}}}
spec:
  template:
    metadata: {labels: {__proto__: {app: x}, constructor: y}}
    spec:
      containers: [{name: web, ports: [{containerPort: 80}], readinessProbe: {httpGet: {port: 80}}}]
`;
    const r = lintText(text);
    const plain = {} as Record<string, unknown>;
    expect(plain.polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).toBe(false);
    expect((Object as unknown as Record<string, unknown>).polluted).toBeUndefined();
    // The Pod's real container lacks a probe (a __proto__ key cannot supply one); no ghost container.
    expect(watched(r.findings).map((f) => [f.ruleId, f.object?.name, f.container])).toEqual([
      ["readiness-probe-missing", "p", "web"],
    ]);
  });

  it("tags never run code or construct objects", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: !!js/function "function () { globalThis.__drainlintPwned = 1 }"
  annotations: !<tag:yaml.org,2002:js/undefined> ''
spec: !!python/object/apply:os.system ["touch /tmp/drainlint-pwned"]
`;
    lintText(text);
    expect((globalThis as Record<string, unknown>).__drainlintPwned).toBeUndefined();
    expect(existsSync("/tmp/drainlint-pwned")).toBe(false);
  });
});

describe("the file system", () => {
  it("symbolic link loops, broken and self links: one notice each, the rest linted", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "k8s", "nested"), { recursive: true });
    writeFileSync(path.join(dir, "k8s", "nested", "web.yaml"), deployment("web"));
    symlinkSync("..", path.join(dir, "k8s", "nested", "up"));
    symlinkSync(path.join(dir, "k8s"), path.join(dir, "k8s", "nested", "again"));
    symlinkSync("self.yaml", path.join(dir, "k8s", "self.yaml"));
    symlinkSync("missing.yaml", path.join(dir, "k8s", "dangling.yaml"));
    const r = await cli(["-f", "json", "k8s"], { cwd: dir });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(watched(out.findings).map((f: { file: string }) => f.file)).toEqual([
      "k8s/nested/web.yaml",
    ]);
    const lines = r.stderr.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/^drainlint: k8s\/\S+: .*skipped$/);
    expect(r.stderr).toMatch(/self\.yaml/);
    expect(r.stderr).toMatch(/dangling\.yaml/);
  });

  it("a directory named like a file is walked, whether named or met in a walk", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "web.yaml"));
    writeFileSync(path.join(dir, "web.yaml", "inner.yaml"), deployment("inner"));
    mkdirSync(path.join(dir, "Dockerfile"));
    const named = await cli(["-f", "json", "web.yaml", "Dockerfile"], { cwd: dir });
    expect(watched(JSON.parse(named.stdout).findings).map((f: { file: string }) => f.file)).toEqual(
      ["web.yaml/inner.yaml"],
    );
    const walked = await cli(["-f", "json", "."], { cwd: dir });
    expect(
      watched(JSON.parse(walked.stdout).findings).map((f: { file: string }) => f.file),
    ).toEqual(["web.yaml/inner.yaml"]);
    expect(walked.stderr).toBe("");
  });

  it("names with spaces and Unicode are linted and reported relative and normalised", async () => {
    const dir = tempDir();
    const sub = path.join(dir, "my apps", "café ☕");
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, "web déploiement.yaml"), deployment("web"));
    writeFileSync(path.join(sub, "Dockerfile.prod ✓"), 'FROM node:20\nCMD ["node", "s.js"]\n');
    const r = await cli(["-f", "json", "."], { cwd: dir });
    const out = JSON.parse(r.stdout);
    expect(watched(out.findings).map((f: { file: string }) => f.file)).toEqual([
      "my apps/café ☕/web déploiement.yaml",
    ]);
    expect(out.summary.files).toBe(2);
    const named = await cli(["-f", "json", "./my apps/café ☕/../café ☕/web déploiement.yaml"], {
      cwd: dir,
    });
    expect(watched(JSON.parse(named.stdout).findings)[0].file).toBe(
      "my apps/café ☕/web déploiement.yaml",
    );
  });

  it("an explicitly named device is refused, not read forever", async () => {
    if (!existsSync("/dev/zero")) return;
    const dir = tempDir();
    const r = await cli(["-f", "json", "/dev/zero"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^drainlint: \S+: not a regular file.*skipped\n$/);
  });

  it("unreadable files and directories: one notice each, the others linted", () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, "locked"));
    writeFileSync(path.join(dir, "locked", "hidden.yaml"), deployment("hidden"));
    writeFileSync(path.join(dir, "secret.yaml"), deployment("secret"));
    writeFileSync(path.join(dir, "web.yaml"), deployment("web"));
    for (const p of [path.join(dir, "locked"), path.join(dir, "secret.yaml")]) {
      chmodSync(p, 0o000);
      locked.push(p);
    }
    // Root reads everything: run the CLI as nobody then (needs the build and setpriv).
    const asRoot = process.getuid?.() === 0;
    const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));
    if (asRoot && (!setpriv || !BUILT)) {
      console.warn("skipped: running as root without setpriv or build/cli.js (npm run build)");
      return;
    }
    const argv = [asRoot ? cliReadableBy(setpriv!) : CLI, "--no-config", "-f", "json", "."];
    const res = asRoot
      ? spawnSync(
          setpriv!,
          ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, ...argv],
          { cwd: dir, encoding: "utf8" },
        )
      : spawnSync(process.execPath, argv, { cwd: dir, encoding: "utf8" });
    expect(res.status).toBe(1);
    expect(watched(JSON.parse(res.stdout).findings).map((f: { file: string }) => f.file)).toEqual([
      "web.yaml",
    ]);
    expect(res.stderr.trim().split("\n").sort()).toEqual([
      "drainlint: locked: cannot read directory (EACCES), skipped",
      "drainlint: secret.yaml: permission denied, skipped",
    ]);
  });
});

describe("exit codes and messages", () => {
  it("content problems are findings (exit 1); usage problems exit 2 with one line", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "bad.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: [1\n");
    const content = await cli(["bad.yaml"], { cwd: dir });
    expect(content.code).toBe(1);
    expect(content.stderr).toBe("");
    for (const argv of [
      ["--bogus"],
      ["--format", "xml", "."],
      ["missing.yaml"],
      ["--rule", "nope=off", "."],
    ]) {
      const r = await cli(argv, { cwd: dir });
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr, argv.join(" ")).toMatch(/^drainlint: [^\n]+\n$/);
    }
  });

  it("an internal error exits 2 with one line; the stack only with DEBUG=drainlint", async () => {
    const failing = (env: NodeJS.ProcessEnv) => {
      let stderr = "";
      const io: CliIO = {
        stdout: () => undefined,
        stderr: (s) => void (stderr += s),
        readStdin: async () => {
          throw new Error("boom from the pipe");
        },
        cwd: tempDir(),
        env,
        stdoutIsTTY: false,
        stderrIsTTY: false,
      };
      return run(["--no-config", "-"], io).then((code) => ({ code, stderr }));
    };
    const quiet = await failing({});
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).toMatch(/^drainlint: internal error: boom from the pipe[^\n]*\n$/);
    expect(quiet.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    const debug = await failing({ DEBUG: "drainlint" });
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

describe("no network, no shell, no code from input", () => {
  const preload = path.join(ROOT, "test", "helpers", "no-network.mjs");
  // Every rule's fixtures: all code paths of the rules, in a few seconds (the corpus takes minutes).
  const target = path.join(ROOT, "fixtures");

  it.skipIf(!BUILT)("the CLI's output is the same with the network unavailable", () => {
    const argv = [CLI, "--no-config", "-f", "json", target];
    const normal = spawnSync(process.execPath, argv, {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    expect([0, 1]).toContain(normal.status);
    const blocked = spawnSync(process.execPath, ["--import", preload, ...argv], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    expect(blocked.stderr).not.toMatch(/NETWORK ACCESS/);
    expect(blocked.status).toBe(normal.status);
    expect(blocked.stdout).toBe(normal.stdout);
    // The preload does block: a fetch under it fails with our marker.
    const probe = spawnSync(
      process.execPath,
      ["--import", preload, "-e", "fetch('http://127.0.0.1:9').catch(() => {})"],
      { encoding: "utf8" },
    );
    expect(probe.stderr).toMatch(/NETWORK ACCESS/);
    // And in a network namespace without interfaces, where unshare is allowed.
    const unshare = spawnSync("unshare", ["-rn", "true"]);
    if (unshare.status !== 0) {
      console.warn("unshare -rn is not available here; checked with the preload only");
      return;
    }
    const isolated = spawnSync("unshare", ["-rn", process.execPath, ...argv], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    expect(isolated.status).toBe(normal.status);
    expect(isolated.stdout).toBe(normal.stdout);
  });

  it("src/ starts programs only with argument arrays, never a shell, and never evaluates code", () => {
    const files = (readdirSync(path.join(ROOT, "src"), { recursive: true }) as string[])
      .filter((f) => f.endsWith(".ts"))
      .map((f) => path.join(ROOT, "src", f));
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const rel = path.relative(ROOT, file);
      expect(text, rel).not.toMatch(/\b(eval|Function)\s*\(|new\s+Function\b|node:vm\b|["']vm["']/);
      expect(text, rel).not.toMatch(/import\(\s*[^"'\s)]/); // dynamic imports of literal paths only
      if (!/child_process/.test(text)) continue;
      expect(text, rel).not.toMatch(/\bexec(Sync)?\s*\(/);
      expect(text, rel).not.toMatch(/shell\s*:\s*(true|["'`])/);
      expect(text, rel).not.toMatch(
        /\b(spawn|execFile)(Sync)?\s*\(\s*["'`](\/bin\/)?(ba|da|z)?sh["'`]/,
      );
    }
    // The only place allowed to start a program does so with an array (execFile/spawn).
    const users = files.filter((f) => /child_process/.test(readFileSync(f, "utf8")));
    for (const f of users)
      expect(readFileSync(f, "utf8")).toMatch(/\b(execFile|spawn)(Sync)?\s*\(/);
  });

  it("the no-network preload itself is a test helper, not shipped", () => {
    expect(existsSync(preload)).toBe(true);
    expect(
      execFileSync(process.execPath, [
        "--import",
        preload,
        "-e",
        "process.stdout.write('ok')",
      ]).toString(),
    ).toBe("ok");
  });
});
