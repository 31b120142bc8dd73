import { defineRule } from "../src/engine/rule.js";
import { replaceEntryEdit } from "../src/fix/edits.js";
import { preStopOf } from "../src/model/budget.js";
import { nativeSleepAvailable, zeroSleepAllowed } from "../src/model/version.js";

const SHELL_OR_SLEEP = new Set([
  "sh",
  "bash",
  "ash",
  "dash",
  "zsh",
  "ksh",
  "mksh",
  "sleep",
  "busybox",
]);
/** Chainguard images that exist to provide a shell. */
const CHAINGUARD_WITH_SHELL = new Set(["wolfi-base", "busybox", "bash"]);

/**
 * True for images that ship neither a shell nor sleep: gcr.io/distroless/* and
 * cgr.dev/chainguard/*, except `debug` and `-dev` tags (SPEC §3).
 */
export function imageWithoutShell(image: string): boolean {
  const name = image.split("@")[0];
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const repo = colon > slash ? name.slice(0, colon) : name;
  const tag = colon > slash ? name.slice(colon + 1) : "";
  if (tag.includes("debug") || /(^|-)dev$/.test(tag)) return false;
  if (repo.startsWith("gcr.io/distroless/")) return true;
  if (repo.startsWith("cgr.dev/chainguard/"))
    return !CHAINGUARD_WITH_SHELL.has(repo.slice("cgr.dev/chainguard/".length));
  return false;
}

/** SPEC §3; DOMAIN.md §2 (a failed preStop sends SIGTERM at once), §4 (native sleep), §11. */
export default defineRule({
  meta: {
    id: "prestop-exec-in-distroless",
    severity: "warning",
    summary:
      "A preStop exec runs a shell or sleep in an image that has neither, so the hook fails and SIGTERM comes at once.",
    target: "container",
    fixable: "autofix",
    appliesTo: "serving",
    silencedBy: [{ rule: "invalid-shutdown-config", topics: ["preStop"] }],
  },
  check(c, ctx) {
    const w = ctx.workload;
    const preStop = preStopOf(c);
    if (preStop.kind !== "exec" || !preStop.program || !SHELL_OR_SLEEP.has(preStop.program)) return;
    if (!c.image || !imageWithoutShell(c.image)) return;
    const version = ctx.settings.kubeVersion;
    const s = preStop.seconds;
    const seconds = s !== null && Number.isFinite(s) ? Math.ceil(s) : null;
    const fixable =
      preStop.sleepOnly &&
      !preStop.malformed &&
      seconds !== null &&
      nativeSleepAvailable(version) &&
      seconds <= w.grace.value &&
      (seconds > 0 || (seconds === 0 && zeroSleepAllowed(version)));
    const edit = fixable
      ? replaceEntryEdit(
          w.locator,
          w.file.text,
          preStop.path,
          "exec",
          "sleep",
          { seconds: seconds! },
          w.file.kind === "json",
        )
      : null;
    const what = preStop.program === "sleep" ? "sleep" : `the shell ${preStop.program}`;
    ctx.report({
      at: w.locator.at(preStop.path) ?? w.locator.nearest(preStop.path),
      message:
        `The preStop hook of "${c.name}" runs ${what} (${preStop.describe}), but image ${c.image} ships no shell and no sleep binary: ` +
        `the hook fails at once (FailedPreStopHook) and SIGTERM comes immediately, so the delay it was meant to give is lost.`,
      suggestions: [
        nativeSleepAvailable(version)
          ? {
              description: `Use the native sleep action, which needs nothing in the image${seconds !== null ? ` (sleep.seconds: ${seconds})` : ""}.`,
              snippet: `lifecycle:\n  preStop:\n    sleep:\n      seconds: ${seconds ?? 5}`,
            }
          : {
              description: `Kubernetes ${version} has no native sleep by default (from 1.30): use a debug/-dev image variant that has a shell, or a drain endpoint called by an httpGet preStop hook.`,
              snippet: `lifecycle:\n  preStop:\n    httpGet:\n      path: /drain\n      port: 8080`,
            },
      ],
      fix: edit
        ? {
            description: `Replace the exec hook by native sleep.seconds: ${seconds}`,
            edits: [edit],
          }
        : null,
      topics: ["preStop"],
    });
  },
});
