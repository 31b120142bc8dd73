import { defineRule } from "../src/engine/rule.js";

/** Reported by the engine, once per chart, for Helm templates that were not rendered (SPEC §1). */
export default defineRule({
  meta: {
    id: "helm-template-unrendered",
    severity: "info",
    summary:
      "A Helm chart's templates are not YAML until rendered; lint `helm template` output instead.",
    target: "engine",
    fixable: "suggestion",
    appliesTo: "all",
  },
});
