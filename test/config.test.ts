/**
 * Configuration (issue 6, SPEC §4): .drainlint.yaml discovery, the JSON Schema and its
 * build-time validator, one line per problem, precedence (flags > config > defaults;
 * annotations > both for the budget; ignore annotations and disable comments on top),
 * --print-config and --report-unused-disable.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli.js";
import {
  ConfigError,
  findConfigFile,
  loadConfigFile,
  parseConfigText,
  validateConfigObject,
} from "../src/config/load.js";
import { overlaySettings, settingsFromConfig } from "../src/config/merge.js";
import { lint, lintSources, RULE_IDS } from "../src/engine/lint.js";
import { defaultSettings, type Finding } from "../src/types.js";
import { source } from "./helpers/lint.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, "schema/drainlint.schema.json"), "utf8"));
const SPEC_RULE_IDS = [
  "readiness-probe-missing",
  "prestop-sleep-without-drain",
  "grace-period-below-budget",
  "shutdown-delay-missing",
  "liveness-tighter-than-readiness",
  "npm-as-pid1",
  "shell-form-entrypoint",
  "prestop-exec-in-distroless",
  "invalid-shutdown-config",
  "parse-error",
  "helm-template-unrendered",
  "invalid-annotation",
];

const tmpRoots: string[] = [];
afterAll(() => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

/** A temporary git work tree (a `.git` directory bounds config discovery) with `files`. */
function repo(files: Record<string, string>, opts: { git?: boolean } = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drainlint-config-"));
  tmpRoots.push(dir);
  if (opts.git !== false) mkdirSync(path.join(dir, ".git"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function cli(argv: string[], cwd: string) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => Buffer.alloc(0),
    cwd,
    env: {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
  });
  return { code, stdout, stderr };
}

async function findings(argv: string[], cwd: string): Promise<{ code: number; f: Finding[] }> {
  const r = await cli(["-f", "json", ...argv], cwd);
  if (r.code === 2) throw new Error(r.stderr);
  return { code: r.code, f: JSON.parse(r.stdout).findings };
}

function problems(text: string): string[] {
  try {
    parseConfigText(text, ".drainlint.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

/** A Deployment whose budget is exactly its grace period (5 + 0 + 10 + 5 = 20): clean by default. */
const WEB = (annotations = "", extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
${annotations ? `  annotations:\n${annotations}` : ""}spec:
  template:
    spec:
      terminationGracePeriodSeconds: 20
      containers:
        - name: web
          image: nginx
          ports: [{ containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /ready, port: 8080 } }
          lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } }
${extra}`;

/** A container without a readiness probe: one readiness-probe-missing (error) at line 8. */
const NO_PROBE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: nginx
          ports: [{ containerPort: 80 }]
          lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } }
`;

describe("schema and generated validator", () => {
  it("the generated validator module is up to date with the schema", () => {
    expect(() =>
      execFileSync(
        process.execPath,
        [path.join(ROOT, "scripts/gen-config-validator.mjs"), "--check"],
        {
          stdio: "pipe",
        },
      ),
    ).not.toThrow();
  });

  it("the schema is a valid draft-07 schema and ships in the package", () => {
    const ajv = new Ajv({ strict: true });
    expect(() => ajv.compile(SCHEMA)).not.toThrow();
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.files).toContain("schema");
  });

  it("lists exactly SPEC's rule ids, and every registered rule", () => {
    const ids = Object.keys(SCHEMA.properties.rules.properties).sort();
    expect(ids).toEqual([...SPEC_RULE_IDS].sort());
    for (const id of RULE_IDS) expect(ids).toContain(id);
    for (const id of ids) expect(SCHEMA.properties.rules.properties[id].description).toBeTruthy();
  });

  it("start-up never compiles a schema: src/config imports no Ajv", () => {
    for (const f of readdirSync(path.join(ROOT, "src/config")))
      expect(readFileSync(path.join(ROOT, "src/config", f), "utf8")).not.toMatch(
        /from "ajv"|require\("ajv"\)/,
      );
  });
});

describe("every key", () => {
  it("accepts a full config and an empty file", () => {
    const text = `# yaml-language-server: $schema=https://unpkg.com/drainlint/schema/drainlint.schema.json
$schema: ./node_modules/drainlint/schema/drainlint.schema.json
kubernetesVersion: "1.29"
rules:
  readiness-probe-missing: warning
  liveness-tighter-than-readiness: off
  parse-error: info
  invalid-annotation: error
budget:
  maxRequestSeconds: 30
  safetyMarginSeconds: 2.5
  endpointPropagationSeconds: 0
ignorePaths: ["charts/*/templates/**", "!charts/keep/templates/**"]
failOn: warning
`;
    expect(parseConfigText(text, "x")).toEqual({
      $schema: "./node_modules/drainlint/schema/drainlint.schema.json",
      kubernetesVersion: "1.29",
      rules: {
        "readiness-probe-missing": "warning",
        "liveness-tighter-than-readiness": "off",
        "parse-error": "info",
        "invalid-annotation": "error",
      },
      budget: { maxRequestSeconds: 30, safetyMarginSeconds: 2.5, endpointPropagationSeconds: 0 },
      ignorePaths: ["charts/*/templates/**", "!charts/keep/templates/**"],
      failOn: "warning",
    });
    expect(parseConfigText("", "x")).toEqual({});
    expect(parseConfigText("# only a comment\n", "x")).toEqual({});
    // Sections left empty when every entry is commented out.
    expect(parseConfigText("rules:\n  # a: off\nbudget:\nignorePaths:\n", "x")).toEqual({
      rules: null,
      budget: null,
      ignorePaths: null,
    });
  });

  it("settingsFromConfig applies each key; config budget terms count as explicit", () => {
    const s = settingsFromConfig({
      kubernetesVersion: "1.29",
      rules: { "readiness-probe-missing": "off" },
      budget: { maxRequestSeconds: 30 },
    });
    expect(s.kubeVersion).toBe("1.29");
    expect(s.rules).toEqual({ "readiness-probe-missing": "off" });
    expect(s.budget).toEqual({
      maxRequestSeconds: 30,
      safetyMarginSeconds: 5,
      endpointPropagationSeconds: 5,
    });
    expect(s.budgetExplicit).toEqual({ maxRequestSeconds: true });
    expect(settingsFromConfig({ rules: null, budget: null })).toEqual(defaultSettings());
  });
});

describe("every error message: file:line:col, key path, expectation, did-you-mean", () => {
  const cases: [string, string][] = [
    [
      "kubeVersion: '1.29'\n",
      `.drainlint.yaml:1:1: kubeVersion: unknown key; expected one of kubernetesVersion, rules, budget, ignorePaths, failOn; did you mean "kubernetesVersion"?`,
    ],
    [
      "ignorPaths: []\n",
      `.drainlint.yaml:1:1: ignorPaths: unknown key; expected one of kubernetesVersion, rules, budget, ignorePaths, failOn; did you mean "ignorePaths"?`,
    ],
    [
      "rules:\n  readines-probe-missing: warning\n",
      `.drainlint.yaml:2:3: rules.readines-probe-missing: unknown rule id; expected one of the ids drainlint --list-rules prints; did you mean "readiness-probe-missing"?`,
    ],
    [
      "rules:\n  readiness-probe-missing: warn\n",
      `.drainlint.yaml:2:28: rules.readiness-probe-missing: expected one of off, info, warning, error, got the string "warn"; did you mean "warning"?`,
    ],
    [
      "rules:\n  parse-error: false\n",
      `.drainlint.yaml:2:16: rules.parse-error: expected one of off, info, warning, error, got the boolean false; did you mean "off"?`,
    ],
    [
      "rules: [readiness-probe-missing]\n",
      `.drainlint.yaml:1:8: rules: expected a mapping, got a list`,
    ],
    [
      "kubernetesVersion: 1.30\n",
      `.drainlint.yaml:1:20: kubernetesVersion: expected a string, got the number 1.30, read as 1.3; quote it, as in kubernetesVersion: "1.30" (unquoted, YAML reads 1.30 as the number 1.3)`,
    ],
    [
      "kubernetesVersion: v1.29.3\n",
      `.drainlint.yaml:1:20: kubernetesVersion: expected a Kubernetes minor version like "1.31", got the string "v1.29.3"; did you mean "1.29"?`,
    ],
    [
      "budget:\n  maxRequestSecond: 10\n",
      `.drainlint.yaml:2:3: budget.maxRequestSecond: unknown key; expected one of maxRequestSeconds, safetyMarginSeconds, endpointPropagationSeconds; did you mean "maxRequestSeconds"?`,
    ],
    [
      "budget:\n  maxRequestSeconds: 10s\n",
      `.drainlint.yaml:2:22: budget.maxRequestSeconds: expected a number of seconds, got the string "10s"; write the number of seconds without quotes or unit, as in maxRequestSeconds: 10`,
    ],
    [
      "budget:\n  safetyMarginSeconds: -1\n",
      `.drainlint.yaml:2:24: budget.safetyMarginSeconds: expected a number of seconds, 0 or more, got the number -1`,
    ],
    [
      "ignorePaths: charts/**\n",
      `.drainlint.yaml:1:14: ignorePaths: expected a list, got the string "charts/**"; write a list, as in ignorePaths: ["charts/**"]`,
    ],
    [
      "ignorePaths: ['  ']\n",
      `.drainlint.yaml:1:15: ignorePaths[0]: expected a non-blank gitignore-style pattern, got the string "  "`,
    ],
    [
      "ignorePaths: [3]\n",
      `.drainlint.yaml:1:15: ignorePaths[0]: expected a string, got the number 3`,
    ],
    [
      "failOn: warnings\n",
      `.drainlint.yaml:1:9: failOn: expected one of error, warning, info, never, got the string "warnings"; did you mean "warning"?`,
    ],
    ["- rules\n", `.drainlint.yaml:1:1: (top level): expected a mapping, got a list`],
    ["rules: {}\nrules: {}\n", `.drainlint.yaml:2:1: YAML syntax error: Map keys must be unique`],
    ["rules: [\n", ".drainlint.yaml:2:1: YAML syntax error"],
    [
      "rules: {}\n---\nbudget: {}\n",
      `.drainlint.yaml:2:1: a config file holds one YAML document; found 2`,
    ],
    [
      "__proto__: { failOn: never }\n",
      `.drainlint.yaml:1:1: __proto__: unknown key; expected one of kubernetesVersion, rules, budget, ignorePaths, failOn`,
    ],
  ];
  for (const [text, expected] of cases)
    it(JSON.stringify(text), () => {
      const p = problems(text);
      expect(p.length).toBeGreaterThan(0);
      expect(p[0].startsWith(expected)).toBe(true);
    });

  it("reports every problem, one line each, in one run", () => {
    const p = problems(
      "kubeVersion: '1.29'\nrules:\n  readines-probe-missing: warning\n  parse-error: warn\nfailOn: 3\n",
    );
    expect(p).toHaveLength(4);
    for (const line of p) expect(line).not.toContain("\n");
    expect(p.map((l) => l.split(": ")[1])).toEqual([
      "kubeVersion",
      "rules.readines-probe-missing",
      "rules.parse-error",
      "failOn",
    ]);
  });

  it("the CLI exits 2 with one stderr line per problem and lints nothing", async () => {
    const dir = repo({
      ".drainlint.yaml": "rules:\n  readines-probe-missing: off\nbudget:\n  maxRequestSecond: 3\n",
      "k8s/api.yaml": NO_PROBE,
    });
    const r = await cli(["k8s"], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      `drainlint: .drainlint.yaml:2:3: rules.readines-probe-missing: unknown rule id; expected one of the ids drainlint --list-rules prints; did you mean "readiness-probe-missing"?`,
      `drainlint: .drainlint.yaml:4:3: budget.maxRequestSecond: unknown key; expected one of maxRequestSeconds, safetyMarginSeconds, endpointPropagationSeconds; did you mean "maxRequestSeconds"?`,
    ]);
  });

  it("an in-memory config object is validated the same way (API)", () => {
    expect(() => validateConfigObject({ rules: { "no-such-rule": "off" } })).toThrow(
      /config: rules\.no-such-rule: unknown rule id/,
    );
    expect(validateConfigObject({ failOn: "never" })).toEqual({ failOn: "never" });
  });
});

describe("discovery", () => {
  it("finds .drainlint.yaml from a subdirectory up to the repository root", () => {
    const dir = repo({ ".drainlint.yaml": "failOn: never\n", "a/b/x.yaml": "" });
    expect(findConfigFile(path.join(dir, "a/b"))).toBe(path.join(dir, ".drainlint.yaml"));
  });

  it("finds .drainlint.yml too", () => {
    const dir = repo({ ".drainlint.yml": "failOn: never\n" });
    expect(findConfigFile(dir)).toBe(path.join(dir, ".drainlint.yml"));
  });

  it("stops at the repository root: a config above it is not used", () => {
    const outer = repo({ ".drainlint.yaml": "failOn: never\n" }, { git: false });
    mkdirSync(path.join(outer, "project/.git"), { recursive: true });
    mkdirSync(path.join(outer, "project/k8s"));
    expect(findConfigFile(path.join(outer, "project/k8s"))).toBeNull();
  });

  it("a subdirectory's config wins over the root's (the nearest)", () => {
    const dir = repo({
      ".drainlint.yaml": "failOn: never\n",
      "svc/.drainlint.yaml": "failOn: info\n",
    });
    expect(findConfigFile(path.join(dir, "svc"))).toBe(path.join(dir, "svc/.drainlint.yaml"));
  });

  it("both .drainlint.yaml and .drainlint.yml in one directory is an error", async () => {
    const dir = repo({ ".drainlint.yaml": "", ".drainlint.yml": "", "k8s/api.yaml": NO_PROBE });
    const r = await cli(["k8s"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "drainlint: .drainlint.yaml and .drainlint.yml both exist: drainlint would read one and silently ignore the other; keep one\n",
    );
  });

  it("--config FILE uses that file; a missing one exits 2", async () => {
    const dir = repo({
      "conf/strict.yaml": "rules:\n  readiness-probe-missing: info\n",
      "k8s/api.yaml": NO_PROBE,
    });
    const { f } = await findings(["-c", "conf/strict.yaml", "k8s"], dir);
    expect(f.map((x) => [x.ruleId, x.severity])).toEqual([["readiness-probe-missing", "info"]]);
    const missing = await cli(["--config", "conf/nope.yaml", "k8s"], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      "drainlint: conf/nope.yaml: cannot read the config file (no such file)\n",
    );
    const isDir = await cli(["--config", "conf", "k8s"], dir);
    expect(isDir.stderr).toBe("drainlint: conf: cannot read the config file (it is a directory)\n");
  });

  it("--no-config ignores the config file (even a broken one); with --config it is an error", async () => {
    const dir = repo({ ".drainlint.yaml": "rules: {nope: off}\n", "k8s/api.yaml": NO_PROBE });
    const { code, f } = await findings(["--no-config", "k8s"], dir);
    expect(code).toBe(1);
    expect(f.map((x) => x.severity)).toEqual(["error"]);
    const both = await cli(["--no-config", "-c", ".drainlint.yaml", "k8s"], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("drainlint: --config and --no-config exclude each other\n");
  });

  it("loadConfigFile strips a BOM and reports positions in the file", () => {
    const dir = repo({ "c.yaml": "\uFEFFfailOn: never\n" });
    expect(loadConfigFile("c.yaml", dir)).toEqual({
      file: path.join(dir, "c.yaml"),
      dir,
      config: { failOn: "never" },
    });
  });
});

describe("precedence", () => {
  it("defaults < config < --rule for severities", async () => {
    const dir = repo({ "k8s/api.yaml": NO_PROBE });
    expect((await findings(["k8s"], dir)).f.map((x) => x.severity)).toEqual(["error"]);
    writeFileSync(
      path.join(dir, ".drainlint.yaml"),
      "rules:\n  readiness-probe-missing: warning\n",
    );
    const fromConfig = await findings(["k8s"], dir);
    expect(fromConfig.f.map((x) => x.severity)).toEqual(["warning"]);
    expect(fromConfig.code).toBe(0); // a warning is below the default failOn
    const fromFlag = await findings(["--rule", "readiness-probe-missing=info", "k8s"], dir);
    expect(fromFlag.f.map((x) => x.severity)).toEqual(["info"]);
    writeFileSync(path.join(dir, ".drainlint.yaml"), "rules:\n  readiness-probe-missing: off\n");
    expect((await findings(["k8s"], dir)).f).toEqual([]);
    expect(
      (await findings(["--rule", "readiness-probe-missing=error", "k8s"], dir)).f.map(
        (x) => x.ruleId,
      ),
    ).toEqual(["readiness-probe-missing"]);
  });

  it("failOn: config over the default, --fail-on over the config", async () => {
    const dir = repo({
      ".drainlint.yaml": "failOn: warning\nrules:\n  readiness-probe-missing: warning\n",
      "k8s/api.yaml": NO_PROBE,
    });
    expect((await cli(["k8s"], dir)).code).toBe(1);
    expect((await cli(["--fail-on", "error", "k8s"], dir)).code).toBe(0);
    writeFileSync(path.join(dir, ".drainlint.yaml"), "failOn: never\n");
    expect((await cli(["k8s"], dir)).code).toBe(0);
  });

  it("budget: defaults < config < flags, and a per-object annotation over both", async () => {
    const budgetOf = async (argv: string[], dir: string) =>
      (await findings(argv, dir)).f
        .filter((x) => x.ruleId === "grace-period-below-budget")
        .map((x) => x.budget?.total);
    const dir = repo({ "k8s/web.yaml": WEB() });
    expect(await budgetOf(["k8s"], dir)).toEqual([]); // 5 + 10 + 5 = 20 = grace
    writeFileSync(path.join(dir, ".drainlint.yaml"), "budget:\n  maxRequestSeconds: 12\n");
    expect(await budgetOf(["k8s"], dir)).toEqual([22]);
    expect(await budgetOf(["--max-request-seconds", "3", "k8s"], dir)).toEqual([]);
    expect(await budgetOf(["--safety-margin-seconds", "9", "k8s"], dir)).toEqual([26]);
    writeFileSync(
      path.join(dir, "k8s/web.yaml"),
      WEB(`    drainlint.dev/max-request-seconds: "40"\n`),
    );
    expect(await budgetOf(["k8s"], dir)).toEqual([50]);
    expect(await budgetOf(["--max-request-seconds", "3", "k8s"], dir)).toEqual([50]);
    // The message says which terms are defaults: the config's term is not one.
    writeFileSync(path.join(dir, "k8s/web.yaml"), WEB());
    const [finding] = (await findings(["k8s"], dir)).f;
    expect(finding.budget?.terms.find((t) => /request/i.test(t.name))?.isDefault).toBe(false);
    expect(finding.budget?.terms.find((t) => /margin/i.test(t.name))?.isDefault).toBe(true);
  });

  it("kubernetesVersion: config over the default, --kube-version over the config", async () => {
    const dir = repo({ ".drainlint.yaml": `kubernetesVersion: "1.29"\n`, "k8s/web.yaml": WEB() });
    const show = async (argv: string[]) =>
      (await cli(["--print-config", "k8s/web.yaml", ...argv], dir)).stdout.split("\n")[4];
    expect(await show([])).toBe(`kubernetesVersion: "1.29"  # .drainlint.yaml`);
    expect(await show(["--kube-version", "1.33"])).toBe(
      `kubernetesVersion: "1.33"  # command line`,
    );
    expect(await show(["--no-config"])).toBe(`kubernetesVersion: "1.31"  # default`);
  });

  it("the API: lint({ config }) takes a path, an object or discovery; settings override it", async () => {
    const dir = repo({
      ".drainlint.yaml": "rules:\n  readiness-probe-missing: warning\n",
      "other.yaml": "rules:\n  readiness-probe-missing: info\n",
      "k8s/api.yaml": NO_PROBE,
    });
    const sev = async (opts: Parameters<typeof lint>[0]) =>
      (await lint({ paths: ["k8s"], cwd: dir, ...opts })).findings.map((x) => x.severity);
    expect(await sev({})).toEqual(["error"]); // no implicit config for the API
    expect(await sev({ config: true })).toEqual(["warning"]);
    expect(await sev({ config: "other.yaml" })).toEqual(["info"]);
    expect(await sev({ config: { rules: { "readiness-probe-missing": "off" } } })).toEqual([]);
    expect(await sev({ config: loadConfigFile("other.yaml", dir) })).toEqual(["info"]);
    expect(
      await sev({ config: true, settings: { rules: { "readiness-probe-missing": "error" } } }),
    ).toEqual(["error"]);
    await expect(
      lint({ paths: ["k8s"], cwd: dir, config: { failOn: "sometimes" } as never }),
    ).rejects.toThrow(ConfigError);
  });

  it("overlaySettings merges key by key", () => {
    const base = settingsFromConfig({
      kubernetesVersion: "1.29",
      rules: { "parse-error": "info" },
      budget: { maxRequestSeconds: 30, safetyMarginSeconds: 1 },
    });
    const s = overlaySettings(base, {
      rules: { "readiness-probe-missing": "off" },
      budget: { ...base.budget, safetyMarginSeconds: 7 },
      budgetExplicit: { safetyMarginSeconds: true },
    });
    expect(s.kubeVersion).toBe("1.29");
    expect(s.rules).toEqual({ "parse-error": "info", "readiness-probe-missing": "off" });
    expect(s.budget.maxRequestSeconds).toBe(30);
    expect(s.budget.safetyMarginSeconds).toBe(7);
    expect(s.budgetExplicit).toEqual({ maxRequestSeconds: true, safetyMarginSeconds: true });
  });

  it("drainlint.dev/ignore and disable comments win over a config that raises a rule", async () => {
    const dir = repo({
      ".drainlint.yaml": "rules:\n  readiness-probe-missing: error\n",
      "k8s/a.yaml": NO_PROBE.replace(
        "  name: api\n",
        `  name: api\n  annotations:\n    drainlint.dev/ignore: readiness-probe-missing\n`,
      ),
      "k8s/b.yaml": NO_PROBE.replace(
        "        - name: api",
        "        # drainlint-disable-next-line readiness-probe-missing -- batch helper\n        - name: api",
      ),
      "k8s/c.yaml": "# drainlint-disable-file readiness-probe-missing\n" + NO_PROBE,
    });
    const { code, f } = await findings(["--rule", "readiness-probe-missing=error", "k8s"], dir);
    expect(f).toEqual([]);
    expect(code).toBe(0);
  });
});

describe("ignorePaths", () => {
  const files = {
    ".drainlint.yaml": `ignorePaths: ["k8s/generated/**", "*.skip.yaml"]\n`,
    "k8s/generated/api.yaml": NO_PROBE,
    "k8s/api.skip.yaml": NO_PROBE,
    "k8s/api.yaml": NO_PROBE,
  };

  it("are relative to the config file's directory, wherever drainlint runs", async () => {
    const dir = repo(files);
    expect((await findings(["."], dir)).f.map((x) => x.file)).toEqual(["k8s/api.yaml"]);
    expect((await findings(["."], path.join(dir, "k8s"))).f.map((x) => x.file)).toEqual([
      "api.yaml",
    ]);
    const other = repo({});
    const viaFlag = await findings(["-c", path.join(dir, ".drainlint.yaml"), dir], other);
    expect(viaFlag.f.map((x) => path.basename(x.file))).toEqual(["api.yaml"]);
  });

  it("a file named on the command line is still linted; --no-ignore lints everything", async () => {
    const dir = repo(files);
    expect((await findings(["k8s/generated/api.yaml"], dir)).f).toHaveLength(1);
    expect((await findings(["--no-ignore", "."], dir)).f).toHaveLength(3);
  });
});

describe("--print-config", () => {
  it("shows the config file, every rule's severity and each value's origin", async () => {
    const dir = repo({
      ".drainlint.yaml": `kubernetesVersion: "1.29"\nrules:\n  readiness-probe-missing: warning\nbudget:\n  maxRequestSeconds: 20\nignorePaths: ["k8s/skip/**"]\n`,
      "k8s/web.yaml":
        "# drainlint-disable-file liveness-tighter-than-readiness\n" +
        WEB(
          `    drainlint.dev/ignore: shutdown-delay-missing\n    drainlint.dev/max-request-seconds: "30"\n`,
        ),
      "k8s/skip/x.yaml": NO_PROBE,
    });
    const r = await cli(
      ["--print-config", "k8s/web.yaml", "--rule", "parse-error=off", "--fail-on", "warning"],
      dir,
    );
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain("# Config file: .drainlint.yaml\n");
    expect(out).toContain(`kubernetesVersion: "1.29"  # .drainlint.yaml\n`);
    expect(out).toMatch(/\n {2}readiness-probe-missing: +warning +# \.drainlint\.yaml\n/);
    expect(out).toMatch(/\n {2}parse-error: +off +# command line\n/);
    for (const id of RULE_IDS) expect(out).toMatch(new RegExp(`\\n  ${id}: `));
    expect(out).toMatch(/\n {2}liveness-tighter-than-readiness: +warning +# default\n/);
    expect(out).toContain("  maxRequestSeconds: 20  # .drainlint.yaml\n");
    expect(out).toContain("  safetyMarginSeconds: 5  # default\n");
    expect(out).toContain(`  - "k8s/skip/**"\n`);
    expect(out).toContain("failOn: warning  # command line\n");
    expect(out).toContain("# k8s/web.yaml: linted.\n");
    expect(out).toContain(
      "# line 1: drainlint-disable-file liveness-tighter-than-readiness: suppresses these rules on the whole file\n",
    );
    expect(out).toContain(
      `# Deployment web: drainlint.dev/max-request-seconds: "30": overrides maxRequestSeconds for this object\n`,
    );
    expect(out).toContain(
      `# Deployment web: drainlint.dev/ignore: "shutdown-delay-missing": these rules are not reported for this object\n`,
    );
    // The printed settings (without comments) are themselves a valid config.
    expect(() => parseConfigText(out, "printed")).not.toThrow();
  });

  it("says why a file is skipped: an ignorePaths pattern or an ignore file", async () => {
    const dir = repo({
      ".drainlint.yaml": `ignorePaths: ["k8s/skip/**"]\n`,
      ".gitignore": "k8s/gen/\n",
      "k8s/skip/x.yaml": NO_PROBE,
      "k8s/gen/y.yaml": NO_PROBE,
    });
    const a = await cli(["--print-config", "k8s/skip/x.yaml"], dir);
    expect(a.stdout).toContain(
      `# k8s/skip/x.yaml: skipped in directory walks: ignorePaths pattern "k8s/skip/**" matches it (named on the command line, it is still linted).`,
    );
    const b = await cli(["--print-config", "k8s/gen/y.yaml"], dir);
    expect(b.stdout).toContain("# k8s/gen/y.yaml: skipped in directory walks by a .gitignore");
    const c = await cli(["--print-config", "k8s/gen/y.yaml", "--no-config"], dir);
    expect(c.stdout).toContain("# Config file: none (--no-config)");
    expect(c.stdout).toContain("ignorePaths: []  # default");
  });

  it("for a directory or a name drainlint does not read, says so", async () => {
    const dir = repo({ "k8s/web.yaml": WEB(), "k8s/notes.txt": "x" });
    const d = await cli(["--print-config", "k8s"], dir);
    expect(d.stdout).toContain(
      "# k8s is a directory: the settings above apply to every file linted in it.",
    );
    const t = await cli(["--print-config", "k8s/notes.txt"], dir);
    expect(t.stdout).toContain("# k8s/notes.txt: not a YAML, JSON or Dockerfile name");
  });

  it("without a config file, says none was found; a missing path exits 2", async () => {
    const dir = repo({ "k8s/web.yaml": WEB() });
    const r = await cli(["--print-config", "k8s/web.yaml"], dir);
    expect(r.stdout).toContain(
      "# Config file: none (no .drainlint.yaml or .drainlint.yml from here up to the repository root)",
    );
    const missing = await cli(["--print-config", "k8s/nope.yaml"], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      "drainlint: --print-config: no such file or directory: k8s/nope.yaml\n",
    );
  });
});

describe("--report-unused-disable", () => {
  const lintUnused = (text: string, report = true, rules: Record<string, "off" | "error"> = {}) =>
    lintSources(
      [source(text, "k8s/x.yaml")],
      { ...defaultSettings(), rules },
      {
        reportUnusedDisable: report,
      },
    );

  it("reports a disable comment that suppressed nothing, at the comment", () => {
    const text = "# drainlint-disable-file readiness-probe-missing\n" + WEB();
    const r = lintUnused(text);
    expect(r.findings.map((f) => [f.ruleId, f.severity, f.line, f.column, f.endColumn])).toEqual([
      ["invalid-annotation", "warning", 1, 1, 49],
    ]);
    expect(r.findings[0].message).toBe(
      "Unused drainlint-disable-file comment: no readiness-probe-missing finding was reported in this file. Remove the comment (or the ids that suppress nothing), so it cannot hide a future finding by accident.",
    );
    expect(lintUnused(text, false).findings).toEqual([]);
  });

  it("a used comment is not reported; a partly used one names the unused ids", () => {
    const used = NO_PROBE.replace(
      "        - name: api",
      "        # drainlint-disable-next-line readiness-probe-missing\n        - name: api",
    );
    expect(lintUnused(used).findings).toEqual([]);
    const partly = NO_PROBE.replace(
      "        - name: api",
      "        # drainlint-disable-next-line readiness-probe-missing, npm-as-pid1\n        - name: api",
    );
    const r = lintUnused(partly);
    expect(r.findings.map((f) => [f.line, f.column])).toEqual([[9, 9]]);
    expect(r.findings[0].message).toContain("no npm-as-pid1 finding was reported on line 10");
  });

  it("reports unknown ids in comments with a did-you-mean, and a bare disable that hid nothing", () => {
    const r = lintUnused("# drainlint-disable-next-line readines-probe-missing\n" + WEB());
    expect(r.findings[0].message).toContain(
      `"readines-probe-missing" is not a drainlint rule (did you mean "readiness-probe-missing"?)`,
    );
    const bare = lintUnused(
      WEB().replace("kind: Deployment", "# drainlint-disable-next-line\nkind: Deployment"),
    );
    expect(bare.findings.map((f) => f.message)).toEqual([
      "Unused drainlint-disable-next-line comment: nothing was reported on line 3. Remove the comment (or the ids that suppress nothing), so it cannot hide a future finding by accident.",
    ]);
  });

  it("reports drainlint.dev/ignore entries that suppressed nothing, at the annotation", () => {
    const text = NO_PROBE.replace(
      "  name: api\n",
      `  name: api\n  annotations:\n    drainlint.dev/ignore: "readiness-probe-missing, npm-as-pid1"\n`,
    );
    const r = lintUnused(text);
    expect(r.findings.map((f) => [f.ruleId, f.line, f.column, f.object?.name])).toEqual([
      ["invalid-annotation", 6, 5, "api"],
    ]);
    expect(r.findings[0].message).toBe(
      "Unused drainlint.dev/ignore: no npm-as-pid1 finding was reported for this object. Remove the ids that suppress nothing from the annotation (or the annotation), so it cannot hide a future finding by accident.",
    );
    expect(r.findings[0].suggestions[0].snippet).toBe(
      `drainlint.dev/ignore: "readiness-probe-missing"`,
    );
    const entry = r.directives.find((d) => d.directive.kind === "annotation")!;
    expect([...entry.directive.used]).toEqual(["readiness-probe-missing"]);
  });

  it("a suppression of a rule turned off suppresses nothing (as in ESLint)", () => {
    const text = "# drainlint-disable-file readiness-probe-missing\n" + NO_PROBE;
    expect(lintUnused(text).findings).toEqual([]);
    expect(lintUnused(text, true, { "readiness-probe-missing": "off" }).findings).toHaveLength(1);
  });

  it("uses invalid-annotation's configured severity; off does not silence the explicit flag", () => {
    const text = "# drainlint-disable-file npm-as-pid1\n" + WEB();
    expect(lintUnused(text, true, { "invalid-annotation": "error" }).findings[0].severity).toBe(
      "error",
    );
    expect(lintUnused(text, true, { "invalid-annotation": "off" }).findings[0].severity).toBe(
      "warning",
    );
  });

  it("end to end: the flag makes an unused suppression fail the run at --fail-on warning", async () => {
    const dir = repo({ "k8s/web.yaml": "# drainlint-disable-file npm-as-pid1\n" + WEB() });
    expect((await cli(["--fail-on", "warning", "k8s"], dir)).code).toBe(0);
    const r = await cli(
      ["--fail-on", "warning", "--report-unused-disable", "-f", "json", "k8s"],
      dir,
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: Finding) => [f.ruleId, f.file, f.line])).toEqual([
      ["invalid-annotation", "k8s/web.yaml", 1],
    ]);
  });
});
