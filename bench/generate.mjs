// Deterministic benchmark corpora (issue 8): the same seed writes the same bytes, so figures
// from two runs compare. A mix of what a platform repository holds: Deployments with their
// Services, StatefulSets, DaemonSets, CronJobs, bare Pods, ConfigMaps and Secrets,
// CRD-heavy bundles (large openAPIV3Schema documents no rule reads), Helm-rendered bundles
// (`# Source:` comments, hooks) and Dockerfiles with a package.json.
import { mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";

/** Bumped whenever the output changes, so stale corpora are rewritten. */
const GENERATOR_VERSION = 5;

export const SIZES = { "1mb": 1_000_000, "10mb": 10_000_000, "50mb": 50_000_000 };

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "api web worker cart checkout payment search catalog auth gateway billing ledger inventory " +
  "orders users profile media thumbnail notify email sms queue cache session report export " +
  "import sync audit metrics frontend backend admin shipping pricing review rating feed"
).split(" ");
const LOREM = (
  "the controller reconciles this field when the object is created or updated and the value " +
  "is validated by the admission webhook before it is persisted so clients should not rely " +
  "on defaults that may change between releases of the operator"
).split(" ");

class Gen {
  constructor(seed) {
    this.rand = mulberry32(seed);
  }
  int(lo, hi) {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  pick(list) {
    return list[Math.floor(this.rand() * list.length)];
  }
  chance(p) {
    return this.rand() < p;
  }
  name() {
    return `${this.pick(WORDS)}-${this.pick(WORDS)}-${this.int(1, 999)}`;
  }
  sentence(n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(this.pick(LOREM));
    return out.join(" ");
  }
}

function probe(g, indent, kind) {
  const pad = " ".repeat(indent);
  const handler = g.chance(0.7)
    ? `${pad}  httpGet:\n${pad}    path: /${kind === "readinessProbe" ? "ready" : "healthz"}\n${pad}    port: http\n`
    : `${pad}  tcpSocket:\n${pad}    port: ${g.pick([8080, 9090, 3000])}\n`;
  return (
    `${pad}${kind}:\n${handler}` +
    `${pad}  periodSeconds: ${g.pick([5, 10, 15])}\n` +
    `${pad}  failureThreshold: ${g.pick([1, 2, 3, 5])}\n`
  );
}

function container(g, name, indent, serving) {
  const pad = " ".repeat(indent);
  let s = `${pad}- name: ${name}\n${pad}  image: registry.example.com/${name}:${g.int(1, 9)}.${g.int(0, 30)}.${g.int(0, 9)}\n`;
  if (g.chance(0.15)) s += `${pad}  command: ["npm", "start"]\n`;
  else if (g.chance(0.2)) s += `${pad}  command: ["node", "dist/server.js"]\n`;
  if (serving) {
    s += `${pad}  ports:\n${pad}    - name: http\n${pad}      containerPort: ${g.pick([8080, 3000, 9090])}\n`;
    if (g.chance(0.3)) s += `${pad}    - name: metrics\n${pad}      containerPort: 9102\n`;
  }
  s += `${pad}  env:\n`;
  for (let i = 0, n = g.int(2, 8); i < n; i++)
    s += `${pad}    - name: ${g.pick(WORDS).toUpperCase()}_${g.pick(WORDS).toUpperCase()}_${i}\n${pad}      value: "${g.sentence(g.int(1, 4))}"\n`;
  s += `${pad}  resources:\n${pad}    requests: { cpu: ${g.int(50, 500)}m, memory: ${g.int(64, 1024)}Mi }\n${pad}    limits: { memory: ${g.int(256, 2048)}Mi }\n`;
  if (serving && g.chance(0.6)) s += probe(g, indent + 2, "readinessProbe");
  if (g.chance(0.5)) s += probe(g, indent + 2, "livenessProbe");
  if (serving && g.chance(0.5)) {
    s += `${pad}  lifecycle:\n${pad}    preStop:\n`;
    s += g.chance(0.6)
      ? `${pad}      exec:\n${pad}        command: ["sh", "-c", "sleep ${g.pick([5, 10, 20, 30])}"]\n`
      : `${pad}      httpGet: { path: /drain, port: http }\n`;
  }
  s += `${pad}  volumeMounts:\n${pad}    - name: config\n${pad}      mountPath: /etc/${name}\n`;
  return s;
}

function podSpec(g, app, indent, serving, opts = {}) {
  const pad = " ".repeat(indent);
  let s = "";
  if (g.chance(0.4)) s += `${pad}terminationGracePeriodSeconds: ${g.pick([10, 30, 45, 60])}\n`;
  if (opts.restartPolicy) s += `${pad}restartPolicy: ${opts.restartPolicy}\n`;
  s += `${pad}serviceAccountName: ${app}\n`;
  if (g.chance(0.2))
    s += `${pad}initContainers:\n${pad}  - name: proxy\n${pad}    image: envoyproxy/envoy:v1.30\n${pad}    restartPolicy: Always\n`;
  s += `${pad}containers:\n`;
  s += container(g, app, indent + 2, serving);
  if (g.chance(0.3)) s += container(g, "log-shipper", indent + 2, false);
  s += `${pad}volumes:\n${pad}  - name: config\n${pad}    configMap:\n${pad}      name: ${app}-config\n`;
  return s;
}

function metadata(g, name, ns, annotations = {}) {
  let s = `metadata:\n  name: ${name}\n`;
  if (ns) s += `  namespace: ${ns}\n`;
  s += `  labels:\n    app.kubernetes.io/name: ${name}\n    app.kubernetes.io/part-of: ${g.pick(WORDS)}\n`;
  const ann = { ...annotations };
  if (g.chance(0.3)) ann.description = g.sentence(g.int(5, 15));
  const keys = Object.keys(ann);
  if (keys.length) s += `  annotations:\n${keys.map((k) => `    "${k}": "${ann[k]}"\n`).join("")}`;
  return s;
}

function controller(g, kind, app, ns) {
  const apiVersion = "apps/v1";
  let s = `apiVersion: ${apiVersion}\nkind: ${kind}\n${metadata(g, app, ns)}spec:\n`;
  if (kind !== "DaemonSet") s += `  replicas: ${g.int(1, 6)}\n`;
  if (kind === "StatefulSet") s += `  serviceName: ${app}\n`;
  s += `  selector:\n    matchLabels:\n      app: ${app}\n  template:\n    metadata:\n      labels:\n        app: ${app}\n`;
  if (g.chance(0.2))
    s += `      annotations:\n        drainlint.dev/max-request-seconds: "${g.pick([5, 15, 30])}"\n`;
  s += `    spec:\n${podSpec(g, app, 6, kind !== "DaemonSet" || g.chance(0.5))}`;
  return s;
}

function service(g, app, ns) {
  return (
    `apiVersion: v1\nkind: Service\n${metadata(g, app, ns)}spec:\n  selector:\n    app: ${app}\n` +
    `  ports:\n    - name: http\n      port: 80\n      targetPort: http\n`
  );
}

function cronJob(g, app, ns) {
  return (
    `apiVersion: batch/v1\nkind: CronJob\n${metadata(g, app, ns)}spec:\n  schedule: "${g.int(0, 59)} ${g.int(0, 23)} * * *"\n` +
    `  jobTemplate:\n    spec:\n      template:\n        spec:\n${podSpec(g, app, 10, false, { restartPolicy: "OnFailure" })}`
  );
}

function pod(g, app, ns, annotations = {}) {
  return `apiVersion: v1\nkind: Pod\n${metadata(g, app, ns, annotations)}spec:\n${podSpec(g, app, 2, g.chance(0.5))}`;
}

function configMap(g, app, ns) {
  let s = `apiVersion: v1\nkind: ConfigMap\n${metadata(g, `${app}-config`, ns)}data:\n`;
  for (let i = 0, n = g.int(2, 6); i < n; i++) {
    s += `  ${g.pick(WORDS)}-${i}.conf: |\n`;
    for (let l = 0, m = g.int(5, 40); l < m; l++)
      s += `    ${g.pick(WORDS)}.${g.pick(WORDS)} = ${g.sentence(g.int(1, 6))}\n`;
  }
  return s;
}

function secret(g, app, ns) {
  let s = `apiVersion: v1\nkind: Secret\n${metadata(g, `${app}-secret`, ns)}type: Opaque\ndata:\n`;
  for (let i = 0, n = g.int(2, 6); i < n; i++)
    s += `  ${g.pick(WORDS)}_${i}: ${Buffer.from(g.sentence(8)).toString("base64")}\n`;
  return s;
}

function schemaProps(g, depth, indent) {
  const pad = " ".repeat(indent);
  let s = `${pad}properties:\n`;
  for (let i = 0, n = g.int(3, depth > 0 ? 5 : 8); i < n; i++) {
    const key = `${g.pick(WORDS)}${g.pick(WORDS).replace(/^./, (c) => c.toUpperCase())}${i}`;
    s += `${pad}  ${key}:\n${pad}    description: ${g.sentence(g.int(8, 30))}\n`;
    if (depth > 0 && g.chance(0.35))
      s += `${pad}    type: object\n${schemaProps(g, depth - 1, indent + 4)}`;
    else if (g.chance(0.3))
      s += `${pad}    type: array\n${pad}    items:\n${pad}      type: string\n${pad}      maxLength: ${g.int(10, 253)}\n`;
    else s += `${pad}    type: ${g.pick(["string", "integer", "boolean"])}\n`;
  }
  return s;
}

function crd(g) {
  const plural = `${g.pick(WORDS)}${g.pick(WORDS)}s`;
  const group = `${g.pick(WORDS)}.example.io`;
  let s = `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${plural}.${group}\n  annotations:\n    controller-gen.kubebuilder.io/version: v0.14.0\nspec:\n  group: ${group}\n  names:\n    kind: ${plural.replace(/^./, (c) => c.toUpperCase()).slice(0, -1)}\n    plural: ${plural}\n  scope: Namespaced\n  versions:\n`;
  for (const v of ["v1alpha1", "v1"]) {
    s += `    - name: ${v}\n      served: true\n      storage: ${v === "v1"}\n      schema:\n        openAPIV3Schema:\n          type: object\n          description: ${g.sentence(20)}\n${schemaProps(g, 2, 10)}`;
  }
  return s;
}

function dockerfile(g, app) {
  const npm = g.chance(0.3);
  const shell = !npm && g.chance(0.3);
  return (
    `FROM node:20 AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n\n` +
    `FROM node:20-slim\nWORKDIR /app\nCOPY --from=build /app /app\nEXPOSE 8080\n` +
    (npm
      ? `CMD ["npm", "start"]\n`
      : shell
        ? `CMD node dist/server.js\n`
        : `CMD ["node", "dist/server.js"]\n`)
  );
}

/** Writes one corpus of about `target` bytes into `dir`. Returns files, bytes, documents. */
export function generateCorpus(dir, target, seed = 42) {
  const g = new Gen(seed);
  rmSync(dir, { recursive: true, force: true });
  let bytes = 0;
  let files = 0;
  let documents = 0;
  const write = (rel, text, docs) => {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
    files++;
    documents += docs;
  };
  const join = (docs) => docs.join("---\n");
  let n = 0;
  while (bytes < target) {
    n++;
    const ns = g.pick(["default", "shop", "payments", "platform", null]);
    const app = g.name();
    const roll = g.rand();
    const base = `${ns ?? "cluster"}/${String(n).padStart(5, "0")}-${app}`;
    if (roll < 0.3) {
      // An app directory: controller, Service (a separate file half the time), ConfigMap.
      const kind = g.pick(["Deployment", "Deployment", "Deployment", "StatefulSet", "DaemonSet"]);
      const docs = [controller(g, kind, app, ns), configMap(g, app, ns)];
      if (g.chance(0.5)) {
        docs.push(service(g, app, ns));
        write(`apps/${base}/${app}.yaml`, join(docs), 3);
      } else {
        write(`apps/${base}/workload.yaml`, join(docs), 2);
        write(`apps/${base}/service.yml`, service(g, app, ns), 1);
      }
    } else if (roll < 0.4) {
      write(`jobs/${base}.yaml`, cronJob(g, app, ns), 1);
    } else if (roll < 0.45) {
      write(`pods/${base}.yaml`, pod(g, app, ns), 1);
    } else if (roll < 0.55) {
      write(`config/${base}.yaml`, join([configMap(g, app, ns), secret(g, app, ns)]), 2);
    } else if (roll < 0.7) {
      // A CRD-heavy operator bundle.
      const docs = [];
      for (let i = 0, k = g.int(1, 3); i < k; i++) docs.push(crd(g));
      docs.push(controller(g, "Deployment", `${app}-operator`, "operators"));
      write(`operators/${base}/bundle.yaml`, join(docs), docs.length);
    } else if (roll < 0.9) {
      // `helm template` output: every document under a `# Source:` comment, a hook Job.
      const chart = app.split("-")[0];
      const parts = [
        [`serviceaccount.yaml`, `apiVersion: v1\nkind: ServiceAccount\n${metadata(g, app, ns)}`],
        [`configmap.yaml`, configMap(g, app, ns)],
        [`service.yaml`, service(g, app, ns)],
        [`deployment.yaml`, controller(g, "Deployment", app, ns)],
        [`tests/test-connection.yaml`, pod(g, `${app}-test`, ns, { "helm.sh/hook": "test" })],
      ];
      const text = parts.map(([f, d]) => `---\n# Source: ${chart}/templates/${f}\n${d}`).join("");
      write(`helm/${base}.rendered.yaml`, text, parts.length);
    } else {
      write(`docker/${base}/Dockerfile`, dockerfile(g, app), 0);
      write(
        `docker/${base}/package.json`,
        JSON.stringify({ name: app, scripts: { start: "node dist/server.js" } }, null, 2) + "\n",
        0,
      );
    }
  }
  return { files, bytes, documents };
}

/** Writes `bench/out/<size>/` unless it already holds this generator version's output. */
export function ensureCorpus(outDir, size) {
  const dir = path.join(outDir, size);
  const stamp = path.join(outDir, `${size}.json`);
  const want = { version: GENERATOR_VERSION, target: SIZES[size] };
  if (existsSync(stamp)) {
    const have = JSON.parse(readFileSync(stamp, "utf8"));
    if (have.version === want.version && have.target === want.target && existsSync(dir))
      return { dir, ...have.stats };
  }
  const stats = generateCorpus(dir, SIZES[size]);
  writeFileSync(stamp, JSON.stringify({ ...want, stats }));
  return { dir, ...stats };
}
