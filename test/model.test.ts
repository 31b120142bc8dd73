/** The model (SPEC §2) and the inputs it reads (SPEC §1): kinds, containers, defaults, positions. */
import { describe, expect, it } from "vitest";
import { Locator } from "../src/model/locate.js";
import {
  buildService,
  buildWorkload,
  linkWorkloads,
  receivesTraffic,
  type WorkloadView,
} from "../src/model/workload.js";
import { maskHelmDryRun, parseYaml } from "../src/parse/yaml.js";
import type { SourceFile } from "../src/types.js";
import { lintText } from "./helpers/lint.js";

/** Findings of the core rules only (other rules have their own tests). */
const CORE = new Set([
  "readiness-probe-missing",
  "liveness-tighter-than-readiness",
  "parse-error",
  "invalid-annotation",
  "helm-template-unrendered",
]);
function core(r: ReturnType<typeof lintText>) {
  return r.findings.filter((f) => CORE.has(f.ruleId));
}

function views(text: string): {
  workloads: WorkloadView[];
  services: ReturnType<typeof buildService>[];
} {
  const parsed = parseYaml(text);
  const file: SourceFile = { path: null, displayPath: "t.yaml", kind: "yaml", text, bom: false };
  const workloads: WorkloadView[] = [];
  const services = [];
  for (const d of parsed.docs) {
    if (!d.contents || d.error) continue;
    const raw = d.doc.toJS() as Record<string, unknown>;
    const svc = buildService(raw);
    if (svc) services.push(svc);
    const w = buildWorkload({
      file,
      docIndex: d.index,
      objectPath: [],
      locator: new Locator(d.doc, parsed.lineCounter, d.contents),
      raw,
      helmSource: d.helmSource,
    });
    if (w) workloads.push(w);
  }
  linkWorkloads(
    workloads,
    services.filter((s) => s !== null),
  );
  return { workloads, services };
}

const POD_TEMPLATE = `
  template:
    metadata:
      labels: { app: a }
    spec:
      containers:
        - name: a
          image: a:1
`;

describe("kinds", () => {
  it.each([
    ["apps/v1", "Deployment", "serving"],
    ["apps/v1beta1", "Deployment", "serving"],
    ["apps/v1beta2", "StatefulSet", "serving"],
    ["extensions/v1beta1", "Deployment", "serving"],
    ["extensions/v1beta1", "DaemonSet", "serving"],
    ["apps/v1", "ReplicaSet", "serving"],
    ["v1", "ReplicationController", "serving"],
    ["apps.openshift.io/v1", "DeploymentConfig", "serving"],
    ["argoproj.io/v1alpha1", "Rollout", "serving"],
    ["batch/v1", "Job", "batch"],
    ["serving.knative.dev/v1", "Service", "knative"],
  ])("%s %s is %s, matched by group at any version", (apiVersion, kind, category) => {
    const { workloads } = views(
      `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { name: x }\nspec:${POD_TEMPLATE}`,
    );
    expect(workloads).toHaveLength(1);
    expect(workloads[0].category).toBe(category);
    expect(workloads[0].containers.map((c) => c.name)).toEqual(["a"]);
  });

  it("finds the pod spec of CronJobs, PodTemplates and Pods", () => {
    const { workloads } = views(`apiVersion: batch/v1
kind: CronJob
metadata: { name: c }
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{ name: cj, image: x }]
---
apiVersion: v1
kind: PodTemplate
metadata: { name: t }
template:
  spec:
    containers: [{ name: pt, image: x }]
---
apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  containers: [{ name: pod, image: x }]
`);
    expect(workloads.map((w) => [w.kind, w.containers[0]?.name])).toEqual([
      ["CronJob", "cj"],
      ["PodTemplate", "pt"],
      ["Pod", "pod"],
    ]);
  });

  it("passes over kinds without a pod template and other groups' Deployments", () => {
    const { workloads } = views(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n---\napiVersion: example.com/v1\nkind: Deployment\nmetadata: { name: d }\nspec:" +
        POD_TEMPLATE,
    );
    expect(workloads).toEqual([]);
  });
});

describe("containers and effective values", () => {
  const text = `apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  initContainers:
    - name: init
      image: x
    - name: sidecar
      image: envoy
      restartPolicy: Always
  containers:
    - name: app
      image: app
      readinessProbe:
        httpGet: { path: /, port: 80 }
        periodSeconds: 5
        failureThreshold: "3"
      livenessProbe:
        tcpSocket: { port: 80 }
        failureThreshold: 0
`;
  const w = views(text).workloads[0];

  it("lists native sidecars and containers, not plain init containers", () => {
    expect(w.containers.map((c) => [c.name, c.role])).toEqual([
      ["sidecar", "sidecar"],
      ["app", "main"],
    ]);
  });

  it("applies Kubernetes defaults, treating invalid or zero values as unset", () => {
    const app = w.containers[1];
    expect(app.readinessProbe?.periodSeconds).toBe(5);
    expect(app.readinessProbe?.failureThreshold).toBe(3); // "3" is a string: default used
    expect(app.readinessProbe?.explicit.failureThreshold).toBe(false);
    expect(app.readinessProbe?.window).toBe(15);
    expect(app.livenessProbe?.failureThreshold).toBe(3); // 0 is defaulted to 3
    expect(app.livenessProbe?.timeoutSeconds).toBe(1);
    expect(app.livenessProbe?.handlers).toEqual(["tcpSocket"]);
    expect(w.grace).toMatchObject({ value: 30, explicit: false });
  });

  it("treats a negative grace period as 1 and keeps the raw value", () => {
    const neg = views(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: n}\nspec:\n  terminationGracePeriodSeconds: -5\n  containers: []\n",
    ).workloads[0];
    expect(neg.grace).toMatchObject({ value: 1, explicit: true, raw: -5 });
  });
});

describe("positions", () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - name: web
          image: web:1
          livenessProbe:
            httpGet: { path: /, port: 80 }
`;
  const w = views(text).workloads[0];
  const c = w.containers[0];

  it("points a present field at its key, extended over a scalar value", () => {
    expect(w.locator.at(w.grace.path)).toMatchObject({
      line: 8,
      column: 7,
      endLine: 8,
      endColumn: 40,
    });
  });

  it("points a block-valued field at its key line", () => {
    expect(w.locator.at(c.livenessProbe!.path)).toMatchObject({
      line: 12,
      column: 11,
      endLine: 12,
    });
  });

  it("points a missing container field at the container entry (its first key)", () => {
    expect(w.locator.at([...c.path, "readinessProbe"])).toBeNull();
    expect(w.locator.entry(c.path)).toMatchObject({ line: 10, column: 11 });
    expect(w.locator.nearest([...c.path, "readinessProbe", "periodSeconds"])).toMatchObject({
      line: 10,
    });
  });

  it("gives UTF-16 offsets into the text as read", () => {
    const span = w.locator.at(w.grace.path)!;
    expect(text.slice(span.offset, span.endOffset)).toBe("terminationGracePeriodSeconds: 45");
  });

  it("keeps positions through CRLF line endings", () => {
    const crlf = text.replace(/\n/g, "\r\n");
    const w2 = views(crlf).workloads[0];
    expect(w2.locator.at(w2.grace.path)).toMatchObject({ line: 8, column: 7 });
  });
});

describe("anchors, aliases and merge keys", () => {
  const text = `x-probe: &probe
  httpGet: { path: /, port: 80 }
  periodSeconds: 5
---
apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  containers:
    - &base
      name: a
      image: a
      ports: [{ containerPort: 80 }]
      readinessProbe:
        <<: { periodSeconds: 7, failureThreshold: 2 }
        tcpSocket: { port: 80 }
      livenessProbe:
        <<: { periodSeconds: 9 }
        periodSeconds: 11
        tcpSocket: { port: 80 }
`;
  const w = views(text).workloads[0];

  it("honours merge keys, explicit keys winning", () => {
    const c = w.containers[0];
    expect(c.readinessProbe).toMatchObject({ periodSeconds: 7, failureThreshold: 2 });
    expect(c.livenessProbe?.periodSeconds).toBe(11);
  });

  it("finds positions through merge keys and marks them shared", () => {
    const f = w.locator.find([...w.containers[0].path, "readinessProbe", "periodSeconds"]);
    expect(f?.shared).toBe(true);
    expect(w.locator.at([...w.containers[0].path, "readinessProbe", "periodSeconds"])?.line).toBe(
      15,
    );
  });

  it("resolves aliases of whole containers", () => {
    const aliased = views(`apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: { name: p }
    spec:
      containers:
        - &c { name: a, image: a, ports: [{ containerPort: 80 }] }
  - apiVersion: v1
    kind: Pod
    metadata: { name: q }
    spec:
      containers: [*c]
`);
    // List items are linted through lintText below; here the List itself is not a workload.
    expect(aliased.workloads).toEqual([]);
    const r = lintText(`apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: { name: p }
    spec:
      containers:
        - &c { name: a, image: a, ports: [{ containerPort: 80 }] }
  - apiVersion: v1
    kind: Pod
    metadata: { name: q }
    spec:
      containers: [*c]
`);
    expect(core(r).map((f) => [f.object?.name, f.line, f.ruleId])).toEqual([
      ["p", 9, "readiness-probe-missing"],
      ["q", 14, "readiness-probe-missing"],
    ]);
  });
});

describe("Services and serving", () => {
  it("a Service selects a pod template when its selector is a non-empty subset of the labels", () => {
    const { workloads } = views(`apiVersion: apps/v1
kind: Deployment
metadata: { name: d, namespace: default }
spec:
  template:
    metadata:
      labels: { app: a, tier: web }
    spec:
      containers: [{ name: a, image: a }]
---
apiVersion: v1
kind: Service
metadata: { name: s }
spec:
  selector: { app: a }
---
apiVersion: v1
kind: Service
metadata: { name: empty }
spec: {}
---
apiVersion: v1
kind: Service
metadata: { name: other, namespace: prod }
spec:
  selector: { app: a }
`);
    expect(workloads[0].selectedBy.map((s) => s.name)).toEqual(["s"]);
    expect(receivesTraffic(workloads[0], workloads[0].containers[0])).toBe(true);
  });

  it("matches Services across files of one run", () => {
    const pod =
      "apiVersion: v1\nkind: Pod\nmetadata: { name: p, labels: { app: p } }\nspec:\n  containers: [{ name: p, image: p }]\n";
    const svc =
      "apiVersion: v1\nkind: Service\nmetadata: { name: p }\nspec:\n  selector: { app: p }\n";
    expect(core(lintText(pod))).toEqual([]);
    expect(core(lintText(pod + "---\n" + svc)).map((f) => f.ruleId)).toEqual([
      "readiness-probe-missing",
    ]);
  });

  it("Helm hooks and Rollouts with a workloadRef are not serving; the referenced Deployment is linted once", () => {
    const r = lintText(`apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: r }
spec:
  workloadRef: { apiVersion: apps/v1, kind: Deployment, name: d }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: d }
spec:
  replicas: 0
  template:
    spec:
      containers: [{ name: d, image: d, ports: [{ containerPort: 80 }] }]
`);
    expect(core(r).map((f) => `${f.object?.kind}/${f.object?.name}`)).toEqual(["Deployment/d"]);
  });
});

describe("inputs", () => {
  it("carries the Helm # Source: path on every finding from that document", () => {
    const r = lintText(`---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers: [{ name: web, image: web, ports: [{ containerPort: 80 }] }]
`);
    expect(core(r)[0].source).toEqual({ file: "web/templates/deployment.yaml" });
  });

  it("reads helm --dry-run output: only HOOKS: and MANIFEST: documents, positions kept", () => {
    const text = `NAME: web
LAST DEPLOYED: Mon Nov  3 10:00:00 2026
NAMESPACE: default
STATUS: pending-install
REVISION: 1
USER-SUPPLIED VALUES:
replicaCount: 2

COMPUTED VALUES:
image:
  repository: nginx

HOOKS:
---
# Source: web/templates/tests/test.yaml
apiVersion: v1
kind: Pod
metadata:
  name: web-test
  annotations:
    "helm.sh/hook": test
spec:
  containers: [{ name: t, image: busybox, ports: [{ containerPort: 80 }] }]
MANIFEST:
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers: [{ name: web, image: web, ports: [{ containerPort: 80 }] }]

NOTES:
1. Get the application URL by running these commands:
  export POD_NAME=$(kubectl get pods)
`;
    const masked = maskHelmDryRun(text)!;
    expect(masked.length).toBe(text.length);
    expect(masked.split("\n").length).toBe(text.split("\n").length);
    const r = lintText(text);
    expect(core(r).map((f) => [f.ruleId, f.line, f.source?.file])).toEqual([
      ["readiness-probe-missing", 33, "web/templates/deployment.yaml"],
    ]);
    expect(r.summary.objects).toBe(2);
  });

  it("reads JSON manifests with positions", () => {
    const r = lintText(
      '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "j"},\n  "spec": {"containers": [\n    {"name": "j", "image": "j", "ports": [{"containerPort": 80}]}\n  ]}\n}\n',
      { name: "pod.json", kind: "json" },
    );
    expect(core(r).map((f) => [f.ruleId, f.line, f.column])).toEqual([
      ["readiness-probe-missing", 6, 6],
    ]);
  });

  it("lints typed lists item by item", () => {
    const r = lintText(`apiVersion: apps/v1
kind: DeploymentList
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: one }
    spec:
      template:
        spec:
          containers: [{ name: one, image: x, ports: [{ containerPort: 1 }] }]
`);
    expect(core(r).map((f) => [f.object?.name, f.line])).toEqual([["one", 10]]);
    expect(r.summary.objects).toBe(1);
  });

  it("passes over non-Kubernetes YAML quietly", () => {
    const r = lintText(
      "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
    );
    expect(core(r)).toEqual([]);
  });

  it("a duplicate key is a parse-error that names the key", () => {
    const r = lintText("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n");
    expect(core(r).map((f) => [f.ruleId, f.line, f.column])).toEqual([["parse-error", 5, 3]]);
    expect(core(r)[0].message).toContain('duplicate key "name"');
  });

  it("one parse-error per broken document; the other documents are still linted", () => {
    const r = lintText(`a: [1, 2
b: {
---
c: "unclosed
---
apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  containers: [{ name: p, image: p, ports: [{ containerPort: 80 }] }]
`);
    expect(core(r).map((f) => f.ruleId)).toEqual([
      "parse-error",
      "parse-error",
      "readiness-probe-missing",
    ]);
    expect(r.findings[0].line).toBeGreaterThanOrEqual(1);
  });
});

describe("suppression", () => {
  const dep = (extra = "", comment = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
${extra}spec:
  template:
    spec:
      containers:
${comment}        - name: d
          image: d
          ports: [{ containerPort: 80 }]
`;

  it("drainlint.dev/ignore silences known ids; unknown ones are invalid-annotation", () => {
    expect(
      core(lintText(dep("  annotations:\n    drainlint.dev/ignore: readiness-probe-missing\n"))),
    ).toEqual([]);
    const r = lintText(
      dep("  annotations:\n    drainlint.dev/ignore: readiness-probe-missing, no-such-rule\n"),
    );
    expect(core(r).map((f) => [f.ruleId, f.line])).toEqual([["invalid-annotation", 6]]);
    expect(core(r)[0].message).toContain("no-such-rule");
  });

  it("disable-next-line comments apply to the next line only, for the rules named", () => {
    expect(
      core(
        lintText(
          dep("", "        # drainlint-disable-next-line readiness-probe-missing -- reason\n"),
        ),
      ),
    ).toEqual([]);
    expect(core(lintText(dep("", "        # drainlint-disable-next-line\n")))).toEqual([]);
    expect(
      core(
        lintText(
          dep("", "        # drainlint-disable-next-line liveness-tighter-than-readiness\n"),
        ),
      ),
    ).toHaveLength(1);
  });

  it("disable-file comments apply to the whole file", () => {
    expect(core(lintText("# drainlint-disable-file readiness-probe-missing\n" + dep()))).toEqual(
      [],
    );
    expect(core(lintText("# drainlint-disable-file parse-error\n" + dep()))).toHaveLength(1);
  });

  it("--rule severity overrides and off", () => {
    expect(
      core(lintText(dep(), { settings: { rules: { "readiness-probe-missing": "warning" } } }))[0]
        .severity,
    ).toBe("warning");
    expect(
      core(lintText(dep(), { settings: { rules: { "readiness-probe-missing": "off" } } })),
    ).toEqual([]);
  });
});
