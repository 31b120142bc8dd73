import { defineRule } from "../src/engine/rule.js";
import {
  budgetSum,
  budgetedContainers,
  containerBudget,
  graceText,
  podGraceTarget,
  raiseGraceEdit,
} from "../src/model/budget.js";
import { fmtSeconds } from "../src/model/prestop.js";
import { podSpecSpan } from "../src/model/workload.js";

/** SPEC §3; DOMAIN.md §2 (preStop time is inside the grace period), §8 (the drain budget). */
export default defineRule({
  meta: {
    id: "grace-period-below-budget",
    severity: "error",
    summary:
      "terminationGracePeriodSeconds is shorter than preStop + drain delay + longest request + margin, so SIGKILL cuts requests off.",
    target: "container",
    fixable: "autofix",
    appliesTo: "serving",
    silencedBy: [
      { rule: "invalid-shutdown-config", topics: ["grace", "preStop"] },
      { rule: "prestop-exec-in-distroless", topics: ["preStop"] },
      { rule: "prestop-sleep-without-drain" },
    ],
  },
  check(c, ctx) {
    const w = ctx.workload;
    if (!budgetedContainers(w).includes(c)) return; // no traffic and no hook: nothing to drain
    const { preStop, data } = containerBudget(w, c, ctx.settings);
    const grace = w.grace.value;
    if (grace === 0 || !(data.total > grace)) return; // 0: invalid-shutdown-config
    const target = podGraceTarget(w, ctx.settings);
    const edit = raiseGraceEdit(w, target);
    const defaults = data.terms.filter((t) => t.isDefault).map((t) => t.name);
    const unknownNote =
      preStop.seconds === null && preStop.kind !== "none"
        ? ` The preStop hook's length is unknown (${preStop.unknownReason ?? preStop.describe}), so it counts as 0s and the real budget is larger.`
        : "";
    const graceAt = w.grace.explicit ? w.locator.at(w.grace.path) : null;
    ctx.report({
      at: graceAt ?? podSpecSpan(w),
      message:
        `${graceText(w)} is shorter than the drain budget of "${c.name}": ${budgetSum(data, preStop)}. ` +
        `SIGKILL comes ${fmtSeconds(data.total - grace)} before the app can finish its in-flight requests.` +
        unknownNote +
        (defaults.length
          ? ` Terms marked (default) can be set per object with drainlint.dev/* annotations or in .drainlint.yaml budget:.`
          : ""),
      suggestions: [
        {
          description: `Set terminationGracePeriodSeconds to ${target ?? Math.ceil(data.total)}, the largest drain budget of the pod.`,
          snippet: `terminationGracePeriodSeconds: ${target ?? Math.ceil(data.total)}`,
        },
        {
          description:
            "If requests are shorter than assumed, say so on the workload instead (annotation drainlint.dev/max-request-seconds).",
          snippet: `metadata:\n  annotations:\n    drainlint.dev/max-request-seconds: "5"`,
        },
      ],
      fix: edit
        ? { description: `Set terminationGracePeriodSeconds to ${target}`, edits: [edit] }
        : null,
      topics: ["grace"],
      ...(Number.isFinite(data.total) ? { budget: data } : {}),
    });
  },
});
