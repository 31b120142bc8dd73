/**
 * The only place that knows workload kinds (SPEC §2, DOMAIN.md §7). A document becomes a
 * typed view: kind, name, annotations, Helm source, its pod spec, its containers with
 * effective values (Kubernetes defaults applied, DOMAIN.md §1), and a Locator that gives
 * the position of any field, or of its nearest parent when missing.
 */
import type { Container, ContainerPort, PodSpec, Probe } from "kubernetes-types/core/v1.js";
import type { ObjectRef, SourceFile, Span } from "../types.js";
import type { Locator, Path } from "./locate.js";

export type WorkloadCategory =
  | "serving" // Deployment, ReplicaSet, StatefulSet, DaemonSet, RC, DeploymentConfig, Rollout
  | "pod" // bare Pod: serving if it declares ports or a Service selects it
  | "batch" // Job, CronJob
  | "template" // PodTemplate
  | "knative"; // serving.knative.dev Service: routed by Knative

interface KindInfo {
  category: WorkloadCategory;
  /** Path of the pod spec from the object root. */
  podSpec: Path;
}

const TEMPLATE_SPEC: Path = ["spec", "template", "spec"];

/** group/kind → what it is. Any version of the group matches (SPEC §2). */
const KINDS: Record<string, KindInfo> = {
  "apps/Deployment": { category: "serving", podSpec: TEMPLATE_SPEC },
  "apps/ReplicaSet": { category: "serving", podSpec: TEMPLATE_SPEC },
  "apps/StatefulSet": { category: "serving", podSpec: TEMPLATE_SPEC },
  "apps/DaemonSet": { category: "serving", podSpec: TEMPLATE_SPEC },
  "extensions/Deployment": { category: "serving", podSpec: TEMPLATE_SPEC },
  "extensions/ReplicaSet": { category: "serving", podSpec: TEMPLATE_SPEC },
  "extensions/DaemonSet": { category: "serving", podSpec: TEMPLATE_SPEC },
  "/ReplicationController": { category: "serving", podSpec: TEMPLATE_SPEC },
  "apps.openshift.io/DeploymentConfig": { category: "serving", podSpec: TEMPLATE_SPEC },
  "argoproj.io/Rollout": { category: "serving", podSpec: TEMPLATE_SPEC },
  "/Pod": { category: "pod", podSpec: ["spec"] },
  "batch/Job": { category: "batch", podSpec: TEMPLATE_SPEC },
  "batch/CronJob": {
    category: "batch",
    podSpec: ["spec", "jobTemplate", "spec", "template", "spec"],
  },
  "/PodTemplate": { category: "template", podSpec: ["template", "spec"] },
  "serving.knative.dev/Service": { category: "knative", podSpec: TEMPLATE_SPEC },
};

/** Kinds the model reads; everything else (CRDs, ConfigMaps, Secrets…) is passed over. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function kindInfo(apiVersion: unknown, kind: unknown): KindInfo | null {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  return KINDS[`${groupOf(apiVersion)}/${kind}`] ?? null;
}

/**
 * True for the documents the engine reads (workloads, Services, `*List` objects); the
 * parser's prefilter leaves every other document uncomposed (SPEC §9).
 */
export function isModelDocument(h: { apiVersion: string | null; kind: string | null }): boolean {
  if (h.apiVersion === null || h.kind === null) return false;
  return (
    kindInfo(h.apiVersion, h.kind) !== null ||
    isServiceKind(h.apiVersion, h.kind) ||
    h.kind.endsWith("List")
  );
}

export function isServiceKind(apiVersion: unknown, kind: unknown): boolean {
  return kind === "Service" && apiVersion === "v1";
}

export function isListKind(
  apiVersion: unknown,
  kind: unknown,
  obj: Record<string, unknown>,
): boolean {
  return (
    typeof apiVersion === "string" &&
    typeof kind === "string" &&
    kind.endsWith("List") &&
    Array.isArray(obj.items)
  );
}

export const PROBE_DEFAULTS = {
  periodSeconds: 10,
  failureThreshold: 3,
  timeoutSeconds: 1,
  successThreshold: 1,
  initialDelaySeconds: 0,
} as const;

export const DEFAULT_GRACE_SECONDS = 30;

type ProbeField = keyof typeof PROBE_DEFAULTS;

export interface ProbeView {
  kind: "readiness" | "liveness" | "startup";
  path: Path;
  raw: Probe;
  periodSeconds: number;
  failureThreshold: number;
  timeoutSeconds: number;
  successThreshold: number;
  initialDelaySeconds: number;
  /** Which timing fields were written (and valid); the others are Kubernetes defaults. */
  explicit: Record<ProbeField, boolean>;
  /** `failureThreshold × periodSeconds`: how long a failing probe takes to act. */
  window: number;
  handlers: string[];
}

export interface ContainerView {
  name: string;
  /** `containers` or a restartable `initContainers` entry (native sidecar). */
  role: "main" | "sidecar";
  index: number;
  path: Path;
  raw: Container;
  image: string | null;
  ports: ContainerPort[];
  readinessProbe: ProbeView | null;
  livenessProbe: ProbeView | null;
  startupProbe: ProbeView | null;
}

export interface ServiceView {
  name: string | null;
  namespace: string | null;
  selector: Record<string, string>;
  publishNotReadyAddresses: boolean;
}

export interface WorkloadView {
  file: SourceFile;
  docIndex: number;
  /** Path of the object in its document (non-empty for `List` items). */
  objectPath: Path;
  locator: Locator;
  raw: Record<string, unknown>;
  apiVersion: string;
  kind: string;
  group: string;
  name: string | null;
  namespace: string | null;
  ref: ObjectRef;
  category: WorkloadCategory;
  /** Union of the object's and the pod template's annotations. */
  annotations: Record<string, string>;
  /** Where each annotation key stands (object metadata wins over the template's). */
  annotationPaths: Record<string, Path>;
  podLabels: Record<string, string>;
  helmSource: string | null;
  isHelmHook: boolean;
  /** Rollout with `workloadRef`: its template lives in the referenced object. */
  workloadRef: { kind: string; name: string } | null;
  podSpecPath: Path;
  podSpec: PodSpec | null;
  containers: ContainerView[];
  grace: {
    /** Effective seconds: 30 when unset, negatives treated as 1 (DOMAIN.md §1a). */
    value: number;
    explicit: boolean;
    /** The raw value as written (may be invalid). */
    raw: unknown;
    path: Path;
  };
  /** Set by the bundle pass: Services in the run that select this pod template. */
  selectedBy: ServiceView[];
  /** Serving traffic (SPEC §2 table), decided after Service matching. */
  serving: boolean;
  /** Set by the bundle pass: the target of a Rollout's workloadRef is serving. */
  referencedByRollout: boolean;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function getIn(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (typeof seg === "number") {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (!isRecord(cur) || !Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
      cur = cur[seg];
    }
  }
  return cur;
}

/** A non-negative integer as Kubernetes wants it, else null (strings, floats, negatives). */
export function validInt(v: unknown): number | null {
  // Safe integers only: 1e23 is an "integer" to JavaScript, but no Kubernetes field takes it.
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === "string") out[k] = val;
    else if (typeof val === "number" || typeof val === "boolean") out[k] = String(val);
  }
  return out;
}

const HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"];

function probeView(kind: ProbeView["kind"], raw: unknown, path: Path): ProbeView | null {
  if (!isRecord(raw)) return raw === undefined || raw === null ? null : probeView(kind, {}, path);
  const explicit = {} as Record<ProbeField, boolean>;
  const values = {} as Record<ProbeField, number>;
  for (const f of Object.keys(PROBE_DEFAULTS) as ProbeField[]) {
    const v = validInt(raw[f]);
    // Zero means "unset" to the defaulter (SetDefaults_Probe, DOMAIN.md §1b).
    explicit[f] = v !== null && (v > 0 || f === "initialDelaySeconds");
    values[f] = explicit[f] ? v! : PROBE_DEFAULTS[f];
  }
  return {
    kind,
    path,
    raw: raw as Probe,
    ...values,
    explicit,
    window: values.failureThreshold * values.periodSeconds,
    handlers: HANDLERS.filter((h) => raw[h] !== undefined && raw[h] !== null),
  };
}

function containerView(
  raw: unknown,
  role: ContainerView["role"],
  index: number,
  path: Path,
): ContainerView | null {
  if (!isRecord(raw)) return null;
  const ports = Array.isArray(raw.ports)
    ? (raw.ports.filter(isRecord) as unknown as ContainerPort[])
    : [];
  return {
    name: typeof raw.name === "string" ? raw.name : `#${index}`,
    role,
    index,
    path,
    raw: raw as unknown as Container,
    image: typeof raw.image === "string" ? raw.image : null,
    ports,
    readinessProbe: probeView("readiness", raw.readinessProbe, [...path, "readinessProbe"]),
    livenessProbe: probeView("liveness", raw.livenessProbe, [...path, "livenessProbe"]),
    startupProbe: probeView("startup", raw.startupProbe, [...path, "startupProbe"]),
  };
}

/** `containers[]` and native sidecars (`initContainers[]` with `restartPolicy: Always`). */
export function containersOf(podSpec: unknown, podSpecPath: Path): ContainerView[] {
  if (!isRecord(podSpec)) return [];
  const out: ContainerView[] = [];
  if (Array.isArray(podSpec.initContainers)) {
    podSpec.initContainers.forEach((c, i) => {
      if (isRecord(c) && c.restartPolicy === "Always") {
        const v = containerView(c, "sidecar", i, [...podSpecPath, "initContainers", i]);
        if (v) out.push(v);
      }
    });
  }
  if (Array.isArray(podSpec.containers)) {
    podSpec.containers.forEach((c, i) => {
      const v = containerView(c, "main", i, [...podSpecPath, "containers", i]);
      if (v) out.push(v);
    });
  }
  return out;
}

export interface BuildInput {
  file: SourceFile;
  docIndex: number;
  objectPath: Path;
  locator: Locator;
  raw: Record<string, unknown>;
  helmSource: string | null;
}

export function objectRef(raw: Record<string, unknown>): ObjectRef {
  const md = isRecord(raw.metadata) ? raw.metadata : {};
  return {
    apiVersion: typeof raw.apiVersion === "string" ? raw.apiVersion : null,
    kind: typeof raw.kind === "string" ? raw.kind : null,
    name: typeof md.name === "string" ? md.name : null,
    namespace: typeof md.namespace === "string" ? md.namespace : null,
  };
}

/** The workload view of an object, or null when its kind has no pod template. */
export function buildWorkload(input: BuildInput): WorkloadView | null {
  const { raw } = input;
  const info = kindInfo(raw.apiVersion, raw.kind);
  if (!info) return null;
  const ref = objectRef(raw);
  const podSpecPath = info.podSpec;
  const templateMetaPath = podSpecPath.slice(0, -1).concat("metadata");
  const podSpec = getIn(raw, podSpecPath);
  const annotations: Record<string, string> = {};
  const annotationPaths: Record<string, Path> = {};
  for (const metaPath of [templateMetaPath, ["metadata"]] as Path[]) {
    const ann = stringMap(getIn(raw, [...metaPath, "annotations"]));
    for (const [k, v] of Object.entries(ann)) {
      annotations[k] = v;
      annotationPaths[k] = [...metaPath, "annotations", k];
    }
  }
  const wref = getIn(raw, ["spec", "workloadRef"]);
  const graceRaw = getIn(podSpec, ["terminationGracePeriodSeconds"]);
  const graceExplicit = graceRaw !== undefined && graceRaw !== null;
  let graceValue = DEFAULT_GRACE_SECONDS;
  if (typeof graceRaw === "number" && Number.isSafeInteger(graceRaw)) {
    graceValue = graceRaw < 0 ? 1 : graceRaw; // negatives are treated as 1 (DOMAIN.md §1a)
  }
  const helmHook = annotations["helm.sh/hook"] ?? null;
  return {
    file: input.file,
    docIndex: input.docIndex,
    objectPath: input.objectPath,
    locator: input.locator,
    raw,
    apiVersion: ref.apiVersion!,
    kind: ref.kind!,
    group: groupOf(ref.apiVersion!),
    name: ref.name,
    namespace: ref.namespace,
    ref,
    category: info.category,
    annotations,
    annotationPaths,
    podLabels: stringMap(getIn(raw, [...templateMetaPath, "labels"])),
    helmSource: input.helmSource,
    isHelmHook: helmHook !== null,
    workloadRef:
      info.category === "serving" && isRecord(wref) && typeof wref.name === "string"
        ? { kind: typeof wref.kind === "string" ? wref.kind : "Deployment", name: wref.name }
        : null,
    podSpecPath,
    podSpec: isRecord(podSpec) ? (podSpec as unknown as PodSpec) : null,
    containers: containersOf(podSpec, podSpecPath),
    grace: {
      value: graceValue,
      explicit: graceExplicit,
      raw: graceRaw,
      path: [...podSpecPath, "terminationGracePeriodSeconds"],
    },
    selectedBy: [],
    serving: false,
    referencedByRollout: false,
  };
}

export function buildService(raw: Record<string, unknown>): ServiceView | null {
  if (!isServiceKind(raw.apiVersion, raw.kind)) return null;
  const ref = objectRef(raw);
  return {
    name: ref.name,
    namespace: ref.namespace,
    selector: stringMap(getIn(raw, ["spec", "selector"])),
    publishNotReadyAddresses: getIn(raw, ["spec", "publishNotReadyAddresses"]) === true,
  };
}

function sameNamespace(a: string | null, b: string | null): boolean {
  return (a ?? "default") === (b ?? "default");
}

/** A Service selects a pod template when its selector is a non-empty subset of the labels. */
export function selects(svc: ServiceView, w: WorkloadView): boolean {
  const entries = Object.entries(svc.selector);
  if (entries.length === 0 || !sameNamespace(svc.namespace, w.namespace)) return false;
  return entries.every(([k, v]) => w.podLabels[k] === v);
}

/** The index of linkWorkloads, kept per Services array (a chunked run links every chunk to one). */
const serviceIndexes = new WeakMap<ServiceView[], Map<string, number[]>>();

/**
 * A Service can only select pods labelled with its first selector entry: Services indexed
 * by it, so linking costs per label rather than per (workload, Service) pair.
 */
function serviceIndex(services: ServiceView[]): Map<string, number[]> {
  let byFirstEntry = serviceIndexes.get(services);
  if (byFirstEntry) return byFirstEntry;
  byFirstEntry = new Map();
  for (const [i, s] of services.entries()) {
    const first = Object.entries(s.selector)[0];
    if (!first) continue;
    const key = `${s.namespace ?? "default"}\u0000${first[0]}\u0000${first[1]}`;
    const list = byFirstEntry.get(key);
    if (list) list.push(i);
    else byFirstEntry.set(key, [i]);
  }
  serviceIndexes.set(services, byFirstEntry);
  return byFirstEntry;
}

/**
 * The bundle pass (SPEC §2): Service selection across all files of the run, Rollout
 * workloadRefs, and so which workloads serve traffic.
 */
export function linkWorkloads(
  workloads: WorkloadView[],
  services: ServiceView[],
  rollouts: RolloutRef[] = rolloutRefsOf(workloads),
): void {
  const byFirstEntry = serviceIndex(services);
  for (const w of workloads) {
    const candidates: number[] = [];
    for (const [k, v] of Object.entries(w.podLabels)) {
      const list = byFirstEntry.get(`${w.namespace ?? "default"}\u0000${k}\u0000${v}`);
      if (list) candidates.push(...list);
    }
    candidates.sort((a, b) => a - b); // the Services' order in the run, as before
    // A loop, not map and filter: every selectedBy array then has one hidden class, and the
    // optimised code that reads them is not thrown away when an empty one first comes by.
    const selectedBy: ServiceView[] = [];
    for (const i of candidates) if (selects(services[i], w)) selectedBy.push(services[i]);
    w.selectedBy = selectedBy;
  }
  for (const r of rollouts) {
    for (const w of workloads) {
      if (w.kind === r.kind && w.name === r.name && sameNamespace(w.namespace, r.namespace))
        w.referencedByRollout = true;
    }
  }
  for (const w of workloads) w.serving = isServing(w);
}

/** What a Rollout's `workloadRef` points at: all the bundle pass needs of it (plain data). */
export interface RolloutRef {
  kind: string;
  name: string;
  namespace: string | null;
}

export function rolloutRefsOf(workloads: WorkloadView[]): RolloutRef[] {
  return workloads.flatMap((r) =>
    r.workloadRef ? [{ ...r.workloadRef, namespace: r.namespace }] : [],
  );
}

function isServing(w: WorkloadView): boolean {
  if (w.isHelmHook) return false; // Helm hooks and tests are not serving (SPEC §2)
  if (w.workloadRef) return false; // the referenced Deployment carries the findings, once
  switch (w.category) {
    case "serving":
      return true;
    case "pod":
      return (
        w.selectedBy.length > 0 ||
        w.containers.some((c) => c.ports.some((p) => p.containerPort !== undefined))
      );
    case "template":
      return w.referencedByRollout;
    default:
      return false;
  }
}

/** True when the container receives traffic (SPEC §3 readiness-probe-missing condition). */
export function receivesTraffic(w: WorkloadView, c: ContainerView): boolean {
  if (!w.serving) return false;
  if (c.ports.some((p) => p.containerPort !== undefined)) return true;
  if (w.selectedBy.length === 0) return false;
  const mains = w.containers.filter((x) => x.role === "main");
  return c.role === "main" && mains.length === 1;
}

/** Span helpers rules use for their nodes (SPEC §2 Positions). */
export function containerSpan(w: WorkloadView, c: ContainerView): Span {
  return w.locator.entry(c.path) ?? w.locator.nearest(c.path);
}

export function podSpecSpan(w: WorkloadView): Span {
  const specKeyPath = w.podSpecPath;
  return w.locator.at(specKeyPath) ?? w.locator.nearest(specKeyPath);
}
