import { defineRule } from "../src/engine/rule.js";
import { drainDelay, preStopOf, settingTerm } from "../src/model/budget.js";
import { fmtSeconds } from "../src/model/prestop.js";
import { nativeSleepAvailable } from "../src/model/version.js";
import { containerSpan, receivesTraffic } from "../src/model/workload.js";

/** SPEC §3; DOMAIN.md §3 (endpoints drop a terminating pod asynchronously), §8 (propagation). */
export default defineRule({
  meta: {
    id: "shutdown-delay-missing",
    severity: "warning",
    summary:
      "Nothing holds a serving container up after deletion, so SIGTERM races the endpoint removal and clients get connection refused.",
    target: "container",
    fixable: "suggestion",
    appliesTo: "serving",
    silencedBy: [
      { rule: "invalid-shutdown-config", topics: ["preStop", "grace"] },
      { rule: "prestop-exec-in-distroless", topics: ["preStop"] },
    ],
  },
  check(c, ctx) {
    const w = ctx.workload;
    // Native sidecars get SIGTERM only after the main containers have exited (DOMAIN.md §2).
    if (c.role !== "main" || !receivesTraffic(w, c)) return;
    const preStop = preStopOf(c);
    // An httpGet or non-sleep exec is an app-managed drain; unknown lengths get the benefit of the doubt.
    if (preStop.appManaged || preStop.seconds === null) return;
    if (preStop.kind !== "none" && preStop.kind !== "sleep" && preStop.kind !== "exec") return;
    const delay = drainDelay(w);
    const propagation = settingTerm(w, ctx.settings, "endpointPropagationSeconds");
    const held = preStop.seconds + delay.seconds;
    if (held >= propagation.seconds) return;
    const seconds = Math.max(1, Math.ceil(propagation.seconds));
    const port = c.ports.find((p) => p.containerPort !== undefined);
    const portRef = port ? (port.name ?? String(port.containerPort)) : "8080";
    const hook =
      preStop.kind === "none"
        ? "no preStop hook"
        : `${preStop.describe}, ${fmtSeconds(preStop.seconds)}`;
    const dflt = (d: boolean) => (d ? " (default)" : "");
    ctx.report({
      at: containerSpan(w, c),
      message:
        `Container "${c.name}" receives traffic but nothing holds it up after deletion: preStop ${fmtSeconds(preStop.seconds)} (${hook}) + ` +
        `drain delay ${fmtSeconds(delay.seconds)}${dflt(delay.isDefault)} = ${fmtSeconds(held)}, less than the endpoint propagation of ` +
        `${fmtSeconds(propagation.seconds)}${dflt(propagation.isDefault)}. SIGTERM races the endpoint removal that kube-proxy, ingress ` +
        `controllers and load balancers apply seconds later, so clients get connection refused.`,
      suggestions: [
        {
          description:
            "Preferred: call a drain endpoint from preStop that fails readiness and waits until routes have converged (and raise terminationGracePeriodSeconds to match).",
          snippet: `lifecycle:\n  preStop:\n    httpGet:\n      path: /drain\n      port: ${portRef}`,
        },
        nativeSleepAvailable(ctx.settings.kubeVersion)
          ? {
              description: `Or hold SIGTERM back with a native sleep of ${seconds}s (Kubernetes ≥ 1.30; needs no sleep binary in the image).`,
              snippet: `lifecycle:\n  preStop:\n    sleep:\n      seconds: ${seconds}`,
            }
          : {
              description: `Or hold SIGTERM back with an exec sleep of ${seconds}s (the image needs a sleep binary).`,
              snippet: `lifecycle:\n  preStop:\n    exec:\n      command: ["sleep", "${seconds}"]`,
            },
        {
          description:
            "If the app itself keeps serving for a while after SIGTERM, say so with the annotation drainlint.dev/drain-delay-seconds.",
          snippet: `metadata:\n  annotations:\n    drainlint.dev/drain-delay-seconds: "${seconds}"`,
        },
      ],
      topics: ["preStop"],
    });
  },
});
