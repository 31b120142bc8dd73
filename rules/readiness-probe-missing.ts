import { defineRule } from "../src/engine/rule.js";
import { containerSpan, receivesTraffic, type ContainerView } from "../src/model/workload.js";
import type { ContainerPort } from "kubernetes-types/core/v1.js";

const HTTP_NAME = /http|^web$/i;

function probeSnippet(port: ContainerPort | undefined): string {
  const portRef = port
    ? (port.name ?? String(port.containerPort))
    : "8080 # the port your app listens on";
  const http = !port || (port.name !== undefined && HTTP_NAME.test(port.name));
  const handler = http
    ? `  httpGet:\n    path: /ready\n    port: ${portRef}`
    : `  tcpSocket:\n    port: ${portRef}`;
  return `readinessProbe:\n${handler}\n  periodSeconds: 5\n  failureThreshold: 2`;
}

function why(c: ContainerView, services: string[]): string {
  const port = c.ports.find((p) => p.containerPort !== undefined);
  if (port)
    return `it declares containerPort ${port.containerPort}${port.name ? ` (${port.name})` : ""}`;
  return `Service ${services.join(", ")} selects its pod`;
}

/** SPEC §3; DOMAIN.md §3 (a pod without a readiness probe is Ready as soon as it starts). */
export default defineRule({
  meta: {
    id: "readiness-probe-missing",
    severity: "error",
    summary:
      "A container that receives traffic has no readinessProbe, so it gets traffic before it listens.",
    target: "container",
    fixable: "suggestion",
    appliesTo: "serving",
    silencedBy: [{ rule: "invalid-shutdown-config", topics: ["readinessProbe"] }],
  },
  check(c, ctx) {
    if (c.readinessProbe || !receivesTraffic(ctx.workload, c)) return;
    const services = ctx.workload.selectedBy.map((s) => s.name ?? "(unnamed)");
    const port = c.ports.find((p) => p.containerPort !== undefined);
    ctx.report({
      at: containerSpan(ctx.workload, c),
      message:
        `Container "${c.name}" receives traffic (${why(c, services)}) but has no readinessProbe: ` +
        `its pod is Ready as soon as the process starts, so it gets requests before it listens, ` +
        `and a rolling update counts it available too early.`,
      suggestions: [
        {
          description: `Add a readinessProbe that passes only once the app can serve${port ? ` on port ${port.name ?? port.containerPort}` : ""}.`,
          snippet: probeSnippet(port),
        },
      ],
      topics: ["readinessProbe"],
    });
  },
});
