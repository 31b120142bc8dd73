/**
 * --format junit: one test case per object or Dockerfile, grouped per file; errors and
 * warnings fail the case with the finding's message, info findings do not.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli.js";
import { lint } from "../src/engine/lint.js";
import formatJunit from "../src/format/junit.js";

let dir: string;

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{ containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: "a<b&c" }
data: { k: v }
---
kind: [broken
`;

interface Case {
  attrs: Record<string, string>;
  body: string;
}

function cases(xml: string): Case[] {
  const out: Case[] = [];
  const re = /<testcase ([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g;
  for (let m; (m = re.exec(xml));) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/(\w+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    out.push({ attrs, body: m[2] ?? "" });
  }
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "drainlint-junit-"));
  writeFileSync(path.join(dir, "web.yaml"), WEB);
  writeFileSync(path.join(dir, "Dockerfile"), 'FROM node:20\nCMD ["node", "server.js"]\n');
  mkdirSync(path.join(dir, "chart/templates"), { recursive: true });
  writeFileSync(
    path.join(dir, "chart/Chart.yaml"),
    "apiVersion: v2\nname: chart\nversion: 1.0.0\n",
  );
  writeFileSync(
    path.join(dir, "chart/templates/d.yaml"),
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--format junit", () => {
  it("has one test case per object and Dockerfile, failures carrying the message", async () => {
    const result = await lint({ paths: ["."], cwd: dir });
    const xml = formatJunit({ result, version: "t", color: false, cwd: dir });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    const all = cases(xml);
    const names = all.map((c) => `${c.attrs.classname} | ${c.attrs.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "web.yaml | Deployment/web (namespace shop)",
        "web.yaml | Service/web (namespace shop)",
        "web.yaml | ConfigMap/a&lt;b&amp;c",
        "web.yaml | web.yaml", // the broken document
        "Dockerfile | Dockerfile",
        "chart/Chart.yaml | chart/Chart.yaml", // the unrendered chart
      ]),
    );
    // Every unit is a test case; file-level findings add one case per file.
    expect(all.length).toBe(result.summary.objects + 2);

    const web = all.find((c) => c.attrs.name === "Deployment/web (namespace shop)")!;
    const f = result.findings.find((x) => x.ruleId === "readiness-probe-missing")!;
    const failure = /<failure message="([^"]*)" type="([^"]*)">([\s\S]*)<\/failure>/.exec(
      web.body,
    )!;
    expect(failure).not.toBeNull();
    expect(failure[2]).toContain("readiness-probe-missing");
    expect(failure[3]).toContain(`web.yaml:${f.line}:${f.column} error readiness-probe-missing`);
    const mine = result.findings.filter(
      (x) => x.object?.kind === "Deployment" && x.severity !== "info",
    );
    const esc = (t: string) =>
      t.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    expect(failure[1]).toBe(
      esc(mine[0].message) + (mine.length > 1 ? ` (and ${mine.length - 1} more)` : ""),
    );
    expect(failure[2]).toBe(mine.map((x) => x.ruleId).join(", "));
    for (const x of mine) expect(failure[3]).toContain(`${x.ruleId}: ${esc(x.message)}`);

    expect(all.find((c) => c.attrs.name === "web.yaml")!.body).toContain("parse-error");
    // Passing objects are empty test cases; the unrendered chart is info, not a failure.
    expect(all.find((c) => c.attrs.name.startsWith("Service/"))!.body).toBe("");
    const chart = all.find((c) => c.attrs.name === "chart/Chart.yaml")!;
    expect(chart.body).not.toContain("<failure");
    expect(chart.body).toContain("<system-out>");
    expect(chart.body).toContain("helm-template-unrendered");

    const top = /<testsuites name="drainlint" tests="(\d+)" failures="(\d+)" errors="(\d+)">/.exec(
      xml,
    )!;
    expect(Number(top[1])).toBe(all.length);
    expect(Number(top[2])).toBe(all.filter((c) => c.body.includes("<failure")).length);
  });

  it("writes the report with -o from the CLI", async () => {
    let stdout = "";
    const code = await run(["--format", "junit", "-o", "out/report.xml", "web.yaml"], {
      stdout: (s) => (stdout += s),
      stderr: () => {},
      readStdin: async () => Buffer.alloc(0),
      cwd: dir,
      env: {},
      stdoutIsTTY: false,
      stderrIsTTY: false,
    });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const { readFileSync } = await import("node:fs");
    const xml = readFileSync(path.join(dir, "out/report.xml"), "utf8");
    expect(cases(xml).length).toBe(4);
  });
});
