/**
 * The shutdown schema (schema/podspec-shutdown.schema.json) stays in step with the API types
 * of kubernetes-types: every field of the interfaces it models is listed, nothing else except
 * fields newer than the package (described "Kubernetes >= …"); the generated Ajv module is
 * up to date; and the validator reports what it should.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintText } from "./helpers/lint.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const schema = JSON.parse(
  readFileSync(path.join(ROOT, "schema/podspec-shutdown.schema.json"), "utf8"),
);
const typesText = readFileSync(
  path.join(ROOT, "node_modules/kubernetes-types/core/v1.d.ts"),
  "utf8",
);

/** Field names of `export interface Name { … }` in kubernetes-types' core/v1.d.ts. */
function interfaceFields(name: string): string[] {
  const m = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(typesText);
  if (!m) throw new Error(`interface ${name} not found in kubernetes-types`);
  return [...m[1].matchAll(/^ {4}(\w+)\??:/gm)].map((x) => x[1]).sort();
}

const MODELLED: Record<string, { properties: Record<string, unknown> }> = {
  PodSpec: schema,
  ...schema.definitions,
};

describe("schema/podspec-shutdown.schema.json vs kubernetes-types", () => {
  for (const [name, def] of Object.entries(MODELLED)) {
    it(`${name} lists exactly the API fields (plus documented newer ones)`, () => {
      const api = interfaceFields(name);
      const listed = Object.keys(def.properties).sort();
      const newer = listed.filter((k) => !api.includes(k));
      for (const k of newer) {
        const d = (def.properties[k] as { description?: string }).description ?? "";
        expect(d, `${name}.${k} is not in kubernetes-types: describe it "Kubernetes >= …"`).toMatch(
          /^Kubernetes >= 1\.\d+/,
        );
      }
      expect(
        api.filter((k) => !listed.includes(k)),
        `${name} fields missing from the schema`,
      ).toEqual([]);
    });
  }

  it("models every handler and probe type it references", () => {
    expect(Object.keys(schema.definitions).sort()).toEqual(
      [
        "Container",
        "ExecAction",
        "GRPCAction",
        "HTTPGetAction",
        "HTTPHeader",
        "Lifecycle",
        "LifecycleHandler",
        "Probe",
        "SleepAction",
        "TCPSocketAction",
      ].sort(),
    );
  });

  it("the generated validator is up to date", () => {
    expect(() =>
      execFileSync(
        process.execPath,
        [path.join(ROOT, "scripts/gen-shutdown-validator.mjs"), "--check"],
        {
          stdio: "pipe",
        },
      ),
    ).not.toThrow();
  });
});

function deployment(container: string, spec = ""): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
${spec}      containers:
        - name: web
          image: ghcr.io/example/web:1
          ports:
            - containerPort: 8080
${container}`;
}

const findings = (text: string, kubeVersion?: string) =>
  lintText(text, kubeVersion ? { settings: { kubeVersion } } : {}).findings;

describe("invalid-shutdown-config through the schema", () => {
  it("points at an unknown probe key, with a did-you-mean", () => {
    const text = deployment(`          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
            initialDelaySecond: 5
`);
    const f = findings(text).filter((x) => x.ruleId === "invalid-shutdown-config");
    expect(f).toHaveLength(1);
    expect(f[0].line).toBe(19);
    expect(f[0].column).toBe(13);
    expect(f[0].message).toContain('did you mean "initialDelaySeconds"');
    expect(f[0].container).toBe("web");
  });

  it("a misspelled readinessProbe silences readiness-probe-missing (one problem, one finding)", () => {
    const text = deployment(`          ReadinessProbe:
            httpGet: { path: /ready, port: 8080 }
          lifecycle:
            preStop: { sleep: { seconds: 5 } }
`);
    const ids = findings(text).map((x) => x.ruleId);
    expect(ids).toEqual(["invalid-shutdown-config"]);
  });

  it("wrong types in a hook silence the preStop rules", () => {
    const text = deployment(`          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
          lifecycle:
            preStop:
              httpGet: { path: /drain, port: [8080] }
`);
    const f = findings(text);
    expect(f.map((x) => x.ruleId)).toEqual(["invalid-shutdown-config"]);
    expect(f[0].message).toContain("must be an integer or string");
  });

  it("sleep.seconds 0 depends on --kube-version", () => {
    const text = deployment(`          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
          lifecycle:
            postStart:
              sleep: { seconds: 0 }
            preStop:
              sleep: { seconds: 5 }
`);
    expect(findings(text, "1.32").map((x) => x.ruleId)).toEqual(["invalid-shutdown-config"]);
    expect(findings(text, "1.33")).toEqual([]);
  });

  it("sleep.seconds is compared with the grace period after defaulting (30)", () => {
    const hook = (s: number) =>
      deployment(`          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
          lifecycle:
            preStop:
              sleep: { seconds: ${s} }
`);
    const ids = (s: number) => findings(hook(s)).map((x) => x.ruleId);
    expect(ids(31)).toEqual(["invalid-shutdown-config"]); // rejected: > grace
    expect(ids(30)).toEqual(["prestop-sleep-without-drain"]); // accepted, but no drain window
  });
});
