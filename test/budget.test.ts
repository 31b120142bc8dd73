/**
 * The drain budget (SPEC §3): terms from annotations › flags/config › defaults, the sum in
 * the message, precedence between the drain rules, the CLI flags, the stylish timeline.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Chalk } from "chalk";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli.js";
import { renderTimeline } from "../src/format/timeline.js";
import type { BudgetData, Finding } from "../src/types.js";
import { lintText } from "./helpers/lint.js";

interface Opts {
  grace?: number | null;
  hook?: string;
  annotations?: Record<string, string>;
  image?: string;
}

function deployment({
  grace = null,
  hook = "",
  annotations = {},
  image = "ghcr.io/example/web:1",
}: Opts): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: "${v}"\n`)
    .join("");
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
${ann ? `  annotations:\n${ann}` : ""}spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
${grace === null ? "" : `      terminationGracePeriodSeconds: ${grace}\n`}      containers:
        - name: web
          image: ${image}
          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
${hook ? `          lifecycle:\n            preStop:\n${hook}` : ""}`;
}

const sleepHook = (s: number) => `              sleep:\n                seconds: ${s}\n`;
const execHook = (cmd: string[]) =>
  `              exec:\n                command: ${JSON.stringify(cmd)}\n`;
const ids = (f: Finding[]) => f.map((x) => x.ruleId).sort();

describe("grace-period-below-budget arithmetic", () => {
  it("sums the terms, names the defaults and carries the budget", () => {
    const f = lintText(deployment({ grace: 15, hook: sleepHook(5) })).findings;
    expect(ids(f)).toEqual(["grace-period-below-budget"]);
    expect(f[0].message).toContain(
      "preStop 5s + drain delay 0s (default) + max request 10s (default) + safety margin 5s (default) = 20s",
    );
    expect(f[0].budget).toMatchObject({ grace: 15, graceIsDefault: false, total: 20 });
    expect(f[0].budget!.terms.map((t) => [t.name, t.seconds, t.isDefault])).toEqual([
      ["preStop", 5, false],
      ["drainDelay", 0, true],
      ["maxRequest", 10, true],
      ["safetyMargin", 5, true],
    ]);
    expect(f[0].fix?.edits).toHaveLength(1);
    expect(f[0].fix?.edits[0].text).toBe("20");
    expect(f[0].container).toBe("web");
  });

  it("annotations override settings, settings override defaults", () => {
    const text = deployment({
      grace: 30,
      hook: sleepHook(5),
      annotations: {
        "drainlint.dev/max-request-seconds": "40",
        "drainlint.dev/drain-delay-seconds": "3",
      },
    });
    const settings = {
      budget: { maxRequestSeconds: 2, safetyMarginSeconds: 1, endpointPropagationSeconds: 5 },
      budgetExplicit: { maxRequestSeconds: true, safetyMarginSeconds: true },
    };
    const f = lintText(text, { settings }).findings;
    expect(f[0].message).toContain(
      "preStop 5s + drain delay 3s + max request 40s + safety margin 1s = 49s",
    );
    expect(f[0].message).not.toContain("(default)");
  });

  it("an httpGet hook is unknown, counted as 0 and said so", () => {
    const f = lintText(
      deployment({ grace: 10, hook: "              httpGet: { path: /drain, port: 8080 }\n" }),
    ).findings;
    expect(ids(f)).toEqual(["grace-period-below-budget"]);
    expect(f[0].message).toContain("preStop ? (unknown, counted as 0s)");
    expect(f[0].message).toContain("httpGet hook");
  });

  it("a script that also works gives a lower bound", () => {
    const f = lintText(
      deployment({ grace: 15, hook: execHook(["sh", "-c", "sleep 5 && nginx -s quit"]) }),
    ).findings;
    expect(f[0].message).toContain("preStop ≥ 5s");
  });

  it("points at the spec key and inserts the grace period when it is unset", () => {
    const text = deployment({ hook: sleepHook(20) });
    const f = lintText(text).findings.filter((x) => x.ruleId === "grace-period-below-budget");
    expect(f).toHaveLength(1);
    expect(text.split("\n")[f[0].line - 1].trim()).toBe("spec:");
    expect(f[0].line).toBe(11);
    expect(f[0].fix?.edits[0].text).toContain("terminationGracePeriodSeconds: 35");
  });

  it("fires exactly when the budget exceeds the grace period (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 20 }),
        (grace, sleep, maxRequest, margin) => {
          fc.pre(sleep <= grace - 3); // leave the app more than the 2 s floor (else prestop-sleep-without-drain)
          fc.pre(sleep >= 5 || sleep === 0);
          const text = deployment({
            grace,
            hook: sleep ? sleepHook(sleep) : "",
            annotations: {
              "drainlint.dev/max-request-seconds": String(maxRequest),
              "drainlint.dev/safety-margin-seconds": String(margin),
              "drainlint.dev/drain-delay-seconds": "5",
            },
          });
          const f = lintText(text).findings.filter((x) => x.ruleId === "grace-period-below-budget");
          const total = sleep + 5 + maxRequest + margin;
          expect(f.length).toBe(total > grace ? 1 : 0);
          if (f.length) expect(f[0].budget!.total).toBe(total);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("one problem, one finding", () => {
  it("prestop-sleep-without-drain silences grace-period-below-budget", () => {
    expect(ids(lintText(deployment({ grace: 30, hook: sleepHook(28) })).findings)).toEqual([
      "prestop-sleep-without-drain",
    ]);
  });

  it("prestop-exec-in-distroless silences the delay and budget rules", () => {
    const f = lintText(
      deployment({ grace: 5, hook: execHook(["sleep", "3"]), image: "gcr.io/distroless/static" }),
    ).findings;
    expect(ids(f)).toEqual(["prestop-exec-in-distroless"]);
  });

  it("terminationGracePeriodSeconds: 0 is reported once, by invalid-shutdown-config", () => {
    // With a native sleep there is a second problem: sleep.seconds 5 > grace 0 (rejected).
    expect(ids(lintText(deployment({ grace: 0, hook: sleepHook(5) })).findings)).toEqual([
      "invalid-shutdown-config",
      "invalid-shutdown-config",
    ]);
    expect(ids(lintText(deployment({ grace: 0 })).findings)).toEqual(["invalid-shutdown-config"]);
  });

  it("a malformed exec sleep is reported at its command, and only there", () => {
    const text = deployment({ grace: 30, hook: execHook(["sleep", "5x"]) });
    const f = lintText(text).findings;
    expect(ids(f)).toEqual(["invalid-shutdown-config"]);
    expect(text.split("\n")[f[0].line - 1].trim()).toMatch(/^command:/);
  });
});

describe("--kube-version", () => {
  const distroless = deployment({
    grace: 30,
    hook: execHook(["sleep", "5"]),
    image: "gcr.io/distroless/static",
  });
  it("autofixes to the native sleep from 1.30 only", () => {
    const at = (v: string) => lintText(distroless, { settings: { kubeVersion: v } }).findings[0];
    expect(at("1.30").fix?.edits[0].text).toMatch(/^sleep:\s+seconds: 5$/);
    expect(at("1.29").fix).toBeNull();
    expect(at("1.29").suggestions[0].description).toContain("no native sleep");
  });

  it("suggests an exec sleep instead of the native one below 1.30", () => {
    const text = deployment({ grace: 30 });
    const at = (v: string) =>
      lintText(text, { settings: { kubeVersion: v } }).findings.find(
        (x) => x.ruleId === "shutdown-delay-missing",
      )!;
    expect(at("1.31").suggestions[1].snippet).toContain("sleep:\n      seconds: 5");
    expect(at("1.29").suggestions[1].snippet).toContain('command: ["sleep", "5"]');
  });
});

describe("CLI flags", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drainlint-budget-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "web.yaml"), deployment({ grace: 20, hook: sleepHook(5) }));

  async function cli(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await run(["-f", "json", "--no-config", ...argv, "web.yaml"], {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      readStdin: async () => Buffer.alloc(0),
      cwd: dir,
      env: {},
      stdoutIsTTY: false,
      stderrIsTTY: false,
    });
    return {
      code,
      stdout,
      stderr,
      findings: code === 2 ? [] : (JSON.parse(stdout).findings as Finding[]),
    };
  }

  it("--max-request-seconds and --safety-margin-seconds change the budget and drop (default)", async () => {
    expect((await cli([])).findings).toEqual([]); // 5 + 0 + 10 + 5 = 20, the grace exactly
    const r = await cli(["--max-request-seconds", "30", "--safety-margin-seconds", "2"]);
    expect(r.code).toBe(1);
    expect(r.findings[0].message).toContain("max request 30s + safety margin 2s = 37s");
  });

  it("--endpoint-propagation-seconds raises the delay the preStop must cover", async () => {
    const r = await cli(["--endpoint-propagation-seconds", "8"]);
    expect(ids(r.findings)).toEqual(["shutdown-delay-missing"]);
    expect(r.findings[0].message).toContain("endpoint propagation of 8s");
  });

  it("rejects nonsense with exit 2 and one line", async () => {
    for (const argv of [
      ["--kube-version", "latest"],
      ["--kube-version", "1"],
      ["--max-request-seconds", "-3"],
      ["--safety-margin-seconds", "ten"],
    ]) {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect((await cli(["--kube-version", "v1.30.2"])).code).toBe(0);
  });
});

describe("stylish timeline", () => {
  const c = new Chalk({ level: 0 });
  const budget: BudgetData = {
    grace: 15,
    graceIsDefault: false,
    total: 20,
    terms: [
      { name: "preStop", seconds: 5, isDefault: false },
      { name: "drainDelay", seconds: 0, isDefault: true },
      { name: "maxRequest", seconds: 10, isDefault: true },
      { name: "safetyMargin", seconds: 5, isDefault: true },
    ],
  };

  it("is one line: the terms in order, the SIGKILL mark inside the budget, the shortfall", () => {
    const lines = renderTimeline(budget, c);
    expect(lines).toHaveLength(1);
    const line = lines[0];
    const order = ["preStop 5s", "requests 10s*", "margin 5s*"].map((l) => line.indexOf(l));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]))).toBe(true);
    expect(line).not.toContain("drain 0s"); // empty terms take no room
    const kill = line.indexOf("┃");
    expect(kill).toBeGreaterThan(line.indexOf("requests 10s*"));
    expect(kill).toBeLessThan(line.indexOf("margin 5s*"));
    expect(line).toContain("SIGKILL at 15s, 5s short of 20s");
  });

  it("shows the spare time when the budget fits", () => {
    const line = renderTimeline({ ...budget, grace: 30 }, c)[0];
    expect(line).toContain("spare 10s");
    expect(line).toContain("budget 20s fits");
    expect(line.indexOf("┃")).toBeGreaterThan(line.indexOf("spare 10s"));
  });
});
