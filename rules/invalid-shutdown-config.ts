import { defineRule } from "../src/engine/rule.js";
import { shutdownProblems } from "../src/model/shutdown-config.js";

/** SPEC §3; DOMAIN.md §1 (defaults and validation), §4 (handlers, native sleep), §5e, §11. */
export default defineRule({
  meta: {
    id: "invalid-shutdown-config",
    severity: "error",
    summary:
      "Probe, lifecycle or grace-period fields that Kubernetes rejects, ignores or misreads (typos, wrong types, impossible values).",
    target: "pod",
    fixable: "suggestion",
    appliesTo: "all",
  },
  check(w, ctx) {
    for (const p of shutdownProblems(w, ctx.settings)) {
      ctx.report({
        at: w.locator.at(p.path) ?? w.locator.nearest(p.path),
        message: p.message,
        suggestions: [{ description: p.suggestion, ...(p.snippet ? { snippet: p.snippet } : {}) }],
        container: p.container,
        topics: p.topics,
      });
    }
  },
});
