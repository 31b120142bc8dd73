/**
 * --format github: one workflow command per finding, with the escaping the runner's parser
 * undoes (actions/toolkit command.ts): data `%`, `\r`, `\n`; properties also `:` and `,`.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/cli.js";
import type { LintResult } from "../src/engine/lint.js";
import formatGithub, { escapeData, escapeProperty } from "../src/format/github.js";
import type { Finding } from "../src/types.js";
import { lintText } from "./helpers/lint.js";

const ROOT = path.resolve(import.meta.dirname, "..");

/** The runner's side: parse `::name k=v,k=v::data` and unescape (actions/runner ActionCommand). */
function parseCommand(line: string): { name: string; props: Record<string, string>; data: string } {
  const m = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unData = (s: string) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
  const unProp = (s: string) => unData(s.replace(/%3A/g, ":").replace(/%2C/g, ","));
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? "").split(",").filter(Boolean)) {
    const eq = kv.indexOf("=");
    props[kv.slice(0, eq)] = unProp(kv.slice(eq + 1));
  }
  return { name: m[1], props, data: unData(m[3]) };
}

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: "readiness-probe-missing",
    severity: "error",
    message: "m",
    file: "k8s/web.yaml",
    line: 3,
    column: 5,
    endLine: 4,
    endColumn: 9,
    object: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: null },
    container: "web",
    source: null,
    suggestions: [{ description: "Add a probe." }],
    fix: null,
    ...over,
  };
}

function resultOf(findings: Finding[]): LintResult {
  return {
    findings,
    summary: { files: 1, objects: 1, errors: 0, warnings: 0, infos: 0, fixable: 0 },
    notices: [],
    units: [],
    sources: [],
    directives: [],
  };
}

describe("--format github", () => {
  it("escapes data and property values", () => {
    expect(escapeData("100% done\r\nnext")).toBe("100%25 done%0D%0Anext");
    expect(escapeProperty("a:b,c%d\ne")).toBe("a%3Ab%2Cc%25d%0Ae");
    // Data keeps ':' and ',' as they are; only properties escape them.
    expect(escapeData("a: b, c")).toBe("a: b, c");
  });

  it("writes one command per finding that the runner parses back to the original text", () => {
    const tricky = finding({
      message: 'Grace 30s < budget 45s: 100% of it,\r\nthen "SIGKILL"',
      file: "odd dir/we,b:1%.yaml",
      severity: "warning",
      source: { file: "chart/templates/a,b.yaml" },
    });
    const info = finding({ severity: "info", ruleId: "helm-template-unrendered", container: null });
    const out = formatGithub({
      result: resultOf([tricky, info]),
      version: "t",
      color: false,
      cwd: ROOT,
    });
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    const a = parseCommand(lines[0]);
    expect(a.name).toBe("warning");
    expect(a.props).toEqual({
      file: "odd dir/we,b:1%.yaml",
      line: "3",
      col: "5",
      endLine: "4",
      endColumn: "9",
      title: "drainlint readiness-probe-missing",
    });
    expect(a.data.split("\n")[0]).toBe("Grace 30s < budget 45s: 100% of it,\r");
    expect(a.data).toContain("Rendered from Helm template chart/templates/a,b.yaml.");
    expect(a.data).toContain("Fix: Add a probe.");
    expect(parseCommand(lines[1]).name).toBe("notice");
  });

  it("runs from the CLI on real findings, exit code per --fail-on", async () => {
    let stdout = "";
    const code = await run(
      ["--format", "github", "fixtures/readiness-probe-missing/invalid-deployment-port.yaml"],
      {
        stdout: (s) => (stdout += s),
        stderr: () => {},
        readStdin: async () => Buffer.alloc(0),
        cwd: ROOT,
        env: {},
        stdoutIsTTY: false,
        stderrIsTTY: false,
      },
    );
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const c = parseCommand(line);
      expect(c.name).toBe("error");
      expect(c.props.file).toBe("fixtures/readiness-probe-missing/invalid-deployment-port.yaml");
      expect(Number(c.props.line)).toBeGreaterThan(0);
      expect(c.props.title).toBe("drainlint readiness-probe-missing");
    }
  });

  it("prints nothing when there is nothing to report", () => {
    const result = lintText("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n");
    expect(formatGithub({ result, version: "t", color: false, cwd: ROOT })).toBe("");
  });
});
