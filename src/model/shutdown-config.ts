/**
 * What Kubernetes rejects, ignores or misreads in the shutdown fields of a pod spec (SPEC §3
 * invalid-shutdown-config): the JSON Schema of schema/podspec-shutdown.schema.json (Ajv,
 * compiled at build time into shutdown-validate.generated.ts) for unknown keys and wrong
 * types, then the semantic checks of the API validation (DOMAIN.md §1, §4, §5e, §11).
 */
import type { ErrorObject } from "ajv";
import schema from "../../schema/podspec-shutdown.schema.json" with { type: "json" };
import type { LintSettings } from "../types.js";
import { didYouMean } from "../util/text.js";
import type { Path } from "./locate.js";
import { analyzePreStop } from "./prestop.js";
import { zeroSleepAllowed } from "./version.js";
import { validate as generatedValidate } from "./shutdown-validate.generated.js";
import { isRecord, type WorkloadView } from "./workload.js";

export interface ShutdownProblem {
  /** Path of the offending key from the object root. */
  path: Path;
  message: string;
  suggestion: string;
  snippet?: string;
  container: string | null;
  topics: string[];
}

interface Validate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}
const validate = generatedValidate as unknown as Validate;

type Defs = typeof schema.definitions;
const keysOf = (o: object) => Object.keys(o);
export const KNOWN_KEYS = {
  PodSpec: keysOf(schema.properties),
  Container: keysOf(schema.definitions.Container.properties),
  Probe: keysOf(schema.definitions.Probe.properties),
  Lifecycle: keysOf(schema.definitions.Lifecycle.properties),
  LifecycleHandler: keysOf(schema.definitions.LifecycleHandler.properties),
} satisfies Record<string, string[]> & Partial<Record<keyof Defs, string[]>>;

const PROBES = ["readinessProbe", "livenessProbe", "startupProbe"] as const;
const PROBE_HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"];
const HOOK_HANDLERS = ["exec", "httpGet", "tcpSocket", "sleep"];
const PROBE_INTS = [
  "initialDelaySeconds",
  "timeoutSeconds",
  "periodSeconds",
  "successThreshold",
  "failureThreshold",
  "terminationGracePeriodSeconds",
];

/** The drain-relevant key a misspelled container or pod key stands for, if any. */
function misspelled(key: string, known: string[], relevant: string[]): string | null {
  if (known.includes(key)) return null;
  const exact = relevant.find((r) => r.toLowerCase() === key.toLowerCase());
  return exact ?? didYouMean(key, relevant);
}

/** The topic of a path under a container: the probe, `preStop` (for lifecycle), or `grace`. */
function topicsOf(rel: Path): string[] {
  const probe = rel.find((s) => typeof s === "string" && PROBES.includes(s as never));
  if (probe) return [probe as string];
  if (rel.includes("lifecycle")) return rel.includes("postStart") ? ["postStart"] : ["preStop"];
  if (rel[0] === "terminationGracePeriodSeconds") return ["grace"];
  return [];
}

interface ContainerRef {
  name: string;
  path: Path;
  raw: Record<string, unknown>;
  /** Regular init container: may not set probes or lifecycle (DOMAIN.md §1b). */
  plainInit: boolean;
}

function containerRefs(w: WorkloadView): ContainerRef[] {
  const spec = w.podSpec as unknown as Record<string, unknown> | null;
  const out: ContainerRef[] = [];
  for (const list of ["initContainers", "containers"]) {
    const items = spec?.[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c, i) => {
      if (!isRecord(c)) return;
      out.push({
        name: typeof c.name === "string" ? c.name : `#${i}`,
        path: [...w.podSpecPath, list, i],
        raw: c,
        plainInit: list === "initContainers" && c.restartPolicy !== "Always",
      });
    });
  }
  return out;
}

function describeType(v: unknown): string {
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (typeof v === "number" && !Number.isFinite(v))
    return Number.isNaN(v) ? "not-a-number (.nan)" : `infinity (${v > 0 ? ".inf" : "-.inf"})`;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : `the fraction ${v}`;
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  return typeof v === "object" ? "a mapping" : String(v);
}

/** Ajv errors → problems at the offending key. */
function schemaProblems(w: WorkloadView): ShutdownProblem[] {
  if (!isRecord(w.podSpec) || validate(w.podSpec)) return [];
  const out: ShutdownProblem[] = [];
  const containers = containerRefs(w);
  for (const e of validate.errors ?? []) {
    const rel: (string | number)[] = e.instancePath
      .split("/")
      .slice(1)
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const path: Path = [...w.podSpecPath, ...rel];
    const c =
      rel.length >= 2 && (rel[0] === "containers" || rel[0] === "initContainers")
        ? (containers.find(
            (x) => x.path[x.path.length - 2] === rel[0] && x.path[x.path.length - 1] === rel[1],
          ) ?? null)
        : null;
    const inner = c ? rel.slice(2) : rel;
    // Kubernetes' decoder treats null as an unset optional field (`httpHeaders:` with no value).
    if (e.keyword === "type" && e.data === null) continue;
    // Knative fills in the port of a probe handler from the container's port.
    if (
      e.keyword === "required" &&
      w.category === "knative" &&
      inner.some((s) => PROBES.includes(s as never))
    )
      continue;
    const where = `${inner.join(".") || "the pod spec"}${c ? ` of container "${c.name}"` : ""}`;
    if (e.keyword === "additionalProperties") {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const parent = String(inner[inner.length - 1] ?? "");
      const known = Object.keys(schemaAt(rel)?.properties ?? {});
      const hint = didYouMean(key, known);
      const topics = topicsOf([...inner, hint ?? key]);
      out.push({
        path: [...path, key],
        message:
          `"${key}" is not a field of ${where || parent}${hint ? `; did you mean "${hint}"?` : "."} ` +
          `Kubernetes rejects the object (strict field validation) or drops the key (warn/ignore), so ${hint ? `"${hint}" keeps its default` : "it has no effect"}.`,
        suggestion: hint ? `Rename "${key}" to "${hint}".` : `Remove "${key}".`,
        container: c?.name ?? null,
        topics,
      });
    } else if (e.keyword === "type") {
      const want = (e.params as { type: string | string[] }).type;
      const wantText = Array.isArray(want) ? want.join(" or ") : want;
      out.push({
        path,
        message: `${where} must be ${/^[aeiou]/.test(wantText) ? "an" : "a"} ${wantText}, not ${describeType(e.data)}: the API rejects the object.`,
        suggestion: `Write ${where} as ${wantText === "integer" ? "a whole number without quotes" : `a ${wantText}`}.`,
        container: c?.name ?? null,
        topics: topicsOf(inner),
      });
    } else if (e.keyword === "required") {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      out.push({
        path,
        message: `${where} has no "${missing}", which Kubernetes requires: the API rejects the object.`,
        suggestion: `Add "${missing}" to ${where}.`,
        container: c?.name ?? null,
        topics: topicsOf(inner),
      });
    } else if (e.keyword === "minItems") {
      out.push({
        path,
        message: `${where} is empty; Kubernetes requires a command: the API rejects the object.`,
        suggestion: `Give ${where} the program to run, or remove the handler.`,
        container: c?.name ?? null,
        topics: topicsOf(inner),
      });
    }
  }
  return out;
}

interface SchemaNode {
  $ref?: string;
  properties?: Record<string, unknown>;
  items?: unknown;
}

/** The schema node that validates the instance at `rel` (following $ref), for did-you-mean. */
function schemaAt(rel: Path): SchemaNode | null {
  const deref = (n: unknown): SchemaNode | null => {
    if (typeof n !== "object" || n === null) return null;
    const ref = (n as SchemaNode).$ref;
    if (!ref) return n as SchemaNode;
    const name = ref.split("/").pop()! as keyof typeof schema.definitions;
    return (schema.definitions[name] as SchemaNode | undefined) ?? null;
  };
  let node = deref(schema);
  for (const seg of rel) {
    if (!node) return null;
    node = deref(typeof seg === "number" ? node.items : node.properties?.[seg]);
  }
  return node;
}

function handlerCount(
  v: Record<string, unknown>,
  handlers: string[],
  known: string[],
): { present: string[]; hasUnknownKeys: boolean } {
  return {
    present: handlers.filter((h) => v[h] !== undefined && v[h] !== null),
    hasUnknownKeys: Object.keys(v).some((k) => !known.includes(k)),
  };
}

/** Every problem of the workload's shutdown fields, schema first, then semantic checks. */
export function shutdownProblems(w: WorkloadView, settings: LintSettings): ShutdownProblem[] {
  const out = schemaProblems(w);
  const spec = w.podSpec as unknown as Record<string, unknown> | null;
  if (!spec) return out;
  const graceRaw = spec.terminationGracePeriodSeconds;
  const graceValid = typeof graceRaw === "number" && Number.isInteger(graceRaw);
  const gracePath = w.grace.path;

  // Pod-level keys that look like terminationGracePeriodSeconds.
  for (const key of Object.keys(spec)) {
    const m = misspelled(key, KNOWN_KEYS.PodSpec, ["terminationGracePeriodSeconds"]);
    if (m)
      out.push({
        path: [...w.podSpecPath, key],
        message: `"${key}" is not a pod spec field; did you mean "${m}"? Kubernetes rejects or drops it, so the grace period stays at its default of 30s.`,
        suggestion: `Rename "${key}" to "${m}".`,
        container: null,
        topics: ["grace"],
      });
  }
  if (w.category === "knative" && graceRaw !== undefined)
    out.push({
      path: gracePath,
      message:
        "Knative Serving does not allow terminationGracePeriodSeconds on a Service's pod spec: the object is rejected; the queue-proxy handles draining.",
      suggestion: "Remove terminationGracePeriodSeconds.",
      container: null,
      topics: ["grace"],
    });
  else if (graceValid && graceRaw < 0)
    out.push({
      path: gracePath,
      message: `terminationGracePeriodSeconds: ${graceRaw} is negative; Kubernetes treats it as 1, so the app gets SIGKILL a second after SIGTERM (and preStop has at most a second).`,
      suggestion: "Set terminationGracePeriodSeconds to the pod's drain budget (for example 30).",
      snippet: "terminationGracePeriodSeconds: 30",
      container: null,
      topics: ["grace"],
    });
  else if (graceValid && graceRaw === 0 && w.serving)
    out.push({
      path: gracePath,
      message:
        "terminationGracePeriodSeconds: 0 on a workload that serves traffic: the pod is killed at once, the preStop hook is skipped and nothing drains.",
      suggestion: "Set terminationGracePeriodSeconds to the pod's drain budget (for example 30).",
      snippet: "terminationGracePeriodSeconds: 30",
      container: null,
      topics: ["grace"],
    });

  const grace = w.grace.value;
  const hasOs = isRecord(spec.os) && typeof spec.os.name === "string";
  for (const c of containerRefs(w)) {
    const at = (...rel: (string | number)[]): Path => [...c.path, ...rel];
    const push = (p: Omit<ShutdownProblem, "container">) => out.push({ ...p, container: c.name });
    for (const key of Object.keys(c.raw)) {
      const m = misspelled(key, KNOWN_KEYS.Container, [...PROBES, "lifecycle"]);
      if (m)
        push({
          path: at(key),
          message: `"${key}" is not a container field; did you mean "${m}"? Kubernetes rejects or drops it, so container "${c.name}" runs without ${m === "lifecycle" ? "its lifecycle hooks" : `a ${m}`}.`,
          suggestion: `Rename "${key}" to "${m}".`,
          topics: m === "lifecycle" ? ["lifecycle", "preStop"] : [m],
        });
    }
    if (c.plainInit) {
      for (const key of [...PROBES, "lifecycle"])
        if (c.raw[key] !== undefined)
          push({
            path: at(key),
            message: `Init container "${c.name}" sets ${key}, which Kubernetes allows only on sidecars (restartPolicy: Always): the API rejects the object.`,
            suggestion: `Remove ${key}, or make "${c.name}" a sidecar with restartPolicy: Always.`,
            topics: topicsOf([key]),
          });
      continue;
    }
    for (const probe of PROBES) {
      const p = c.raw[probe];
      if (!isRecord(p)) continue;
      const h = handlerCount(p, PROBE_HANDLERS, KNOWN_KEYS.Probe);
      if (h.present.length > 1 || (h.present.length === 0 && !h.hasUnknownKeys))
        push({
          path: at(probe),
          message: `${probe} of "${c.name}" ${h.present.length ? `has ${h.present.length} handlers (${h.present.join(", ")})` : "has no handler"}; Kubernetes wants exactly one of exec, httpGet, tcpSocket, grpc and rejects the object.`,
          suggestion: h.present.length
            ? `Keep one handler (${h.present[0]}).`
            : "Add a handler (httpGet, tcpSocket, exec or grpc).",
          topics: [probe],
        });
      for (const f of PROBE_INTS) {
        const v = p[f];
        if (typeof v === "number" && Number.isInteger(v) && v < 0)
          push({
            path: at(probe, f),
            message: `${probe}.${f} of "${c.name}" is negative (${v}): the API rejects the object.`,
            suggestion: `Use a positive ${f}.`,
            topics: [probe],
          });
      }
      const st = p.successThreshold;
      if (probe !== "readinessProbe" && typeof st === "number" && Number.isInteger(st) && st > 1)
        push({
          path: at(probe, "successThreshold"),
          message: `${probe}.successThreshold of "${c.name}" is ${st}; it must be 1 for liveness and startup probes: the API rejects the object.`,
          suggestion: "Remove successThreshold (it defaults to 1).",
          topics: [probe],
        });
      const tg = p.terminationGracePeriodSeconds;
      if (tg !== undefined && probe === "readinessProbe")
        push({
          path: at(probe, "terminationGracePeriodSeconds"),
          message: `readinessProbe.terminationGracePeriodSeconds of "${c.name}": the field applies only to liveness and startup probes, and the API rejects it on a readiness probe.`,
          suggestion: "Remove it (set the pod's terminationGracePeriodSeconds instead).",
          topics: [probe],
        });
      else if (typeof tg === "number" && Number.isInteger(tg) && tg === 0)
        push({
          path: at(probe, "terminationGracePeriodSeconds"),
          message: `${probe}.terminationGracePeriodSeconds of "${c.name}" is 0; it must be greater than 0: the API rejects the object.`,
          suggestion: "Remove it, or set at least 1.",
          topics: [probe],
        });
    }
    const lifecycle = c.raw.lifecycle;
    if (!isRecord(lifecycle)) continue;
    if (w.category === "knative") {
      push({
        path: at("lifecycle"),
        message: `Knative Serving does not allow lifecycle hooks on container "${c.name}": the object is rejected; the queue-proxy handles draining.`,
        suggestion: "Remove lifecycle.",
        topics: ["lifecycle", "preStop"],
      });
      continue;
    }
    const signal = lifecycle.stopSignal;
    if (typeof signal === "string") {
      if (/^(SIG)?KILL$|^9$/.test(signal.toUpperCase()))
        push({
          path: at("lifecycle", "stopSignal"),
          message: `lifecycle.stopSignal of "${c.name}" is ${signal}: the container is killed without any chance to shut down gracefully.`,
          suggestion: "Remove stopSignal (SIGTERM is the default) or use a signal the app handles.",
          topics: ["preStop"],
        });
      else if (!hasOs)
        push({
          path: at("lifecycle", "stopSignal"),
          message: `lifecycle.stopSignal of "${c.name}" requires spec.os.name in the pod spec: the API rejects the object (and the ContainerStopSignals gate is alpha in 1.33).`,
          suggestion:
            "Set spec.os.name (linux), or drop stopSignal and rely on the image's STOPSIGNAL.",
          snippet: "os:\n  name: linux",
          topics: ["preStop"],
        });
    }
    for (const hookName of ["preStop", "postStart"] as const) {
      const hook = lifecycle[hookName];
      if (!isRecord(hook)) continue;
      const h = handlerCount(hook, HOOK_HANDLERS, KNOWN_KEYS.LifecycleHandler);
      if (h.present.length > 1 || (h.present.length === 0 && !h.hasUnknownKeys)) {
        push({
          path: at("lifecycle", hookName),
          message: `lifecycle.${hookName} of "${c.name}" ${h.present.length ? `has ${h.present.length} handlers (${h.present.join(", ")})` : "has no handler"}; Kubernetes wants exactly one of exec, httpGet, sleep and rejects the object.`,
          suggestion: h.present.length
            ? `Keep one handler.`
            : "Add a handler (sleep, httpGet or exec), or remove the hook.",
          topics: [hookName],
        });
        continue;
      }
      if (h.present[0] === "tcpSocket") {
        push({
          path: at("lifecycle", hookName, "tcpSocket"),
          message: `lifecycle.${hookName} of "${c.name}" uses tcpSocket, which the API accepts but the kubelet does not support: the hook fails at run time${hookName === "preStop" ? " and SIGTERM comes at once" : ""}.`,
          suggestion: "Use an httpGet hook, or a native sleep to delay SIGTERM.",
          snippet: `${hookName}:\n  sleep:\n    seconds: 5`,
          topics: [hookName],
        });
        continue;
      }
      const sleep = hook.sleep;
      if (isRecord(sleep) && typeof sleep.seconds === "number" && Number.isInteger(sleep.seconds)) {
        const s = sleep.seconds;
        const zeroOk = zeroSleepAllowed(settings.kubeVersion);
        if (
          s < 0 ||
          (s === 0 && !zeroOk) ||
          ((graceValid || graceRaw === undefined || graceRaw === null) && s > grace)
        )
          push({
            path: at("lifecycle", hookName, "sleep", "seconds"),
            message:
              s > 0
                ? `lifecycle.${hookName}.sleep.seconds of "${c.name}" is ${s}, more than terminationGracePeriodSeconds (${grace}${w.grace.explicit ? "" : ", the default"}): the API rejects the object.`
                : `lifecycle.${hookName}.sleep.seconds of "${c.name}" is ${s}; it must be greater than 0${zeroOk ? " (0 is allowed from 1.33, negatives never)" : ` with Kubernetes ${settings.kubeVersion} (0 is allowed from 1.33)`}: the API rejects the object.`,
            suggestion:
              s > 0
                ? `Lower sleep.seconds, or raise terminationGracePeriodSeconds to at least ${s} plus the app's drain time.`
                : "Use a positive number of seconds, or remove the hook.",
            topics: [hookName],
          });
      }
      if (hookName === "preStop" && h.present[0] === "exec") {
        const a = analyzePreStop(hook, at("lifecycle", "preStop"));
        if (a.malformed)
          push({
            path: at("lifecycle", "preStop", "exec", "command"),
            message: `The preStop sleep of "${c.name}" is malformed (${a.describe}: ${a.malformed}): sleep exits with an error at once, so there is no delay and SIGTERM comes immediately (a FailedPreStopHook event).`,
            suggestion:
              'Give sleep a plain number of seconds, like ["sleep", "5"], or use the native sleep action.',
            snippet: "preStop:\n  sleep:\n    seconds: 5",
            topics: ["preStop"],
          });
      }
    }
  }
  return out;
}
