import { defineRule } from "../src/engine/rule.js";
import {
  blame,
  execFormEdit,
  execFormText,
  keptPrefix,
  scriptCommand,
} from "../src/model/dockerfile.js";
import { isPlainCommand } from "../src/model/shell.js";
import { manifestPid1Analysis, type Pid1Analysis, type PmInvocation } from "../src/model/pid1.js";

function initNote(a: Pid1Analysis): string {
  const init = a.wrappers.find((w) => w === "tini" || w === "tini-static" || w === "dumb-init");
  return init
    ? ` ${init} does not fix this: it signals ${a.pm!.tool} (or its group), which exits before the app has drained.`
    : "";
}

function why(pm: PmInvocation): string {
  const what = pm.script ? `the "${pm.script}" script` : "its command";
  return (
    `${pm.tool} runs ${what} under /bin/sh -c; on SIGTERM the shell dies (dash, Debian-based images), ` +
    `${pm.tool} exits and the app is killed before its SIGTERM handler runs, so nothing drains.`
  );
}

/** SPEC §3; DOMAIN.md §5c (npm/yarn/pnpm as PID 1), §5d (tini and dumb-init do not help). */
export default defineRule({
  meta: {
    id: "npm-as-pid1",
    severity: "error",
    summary:
      "npm, yarn, pnpm or npx is PID 1: on SIGTERM the script's shell and npm exit and the app is killed mid-drain.",
    target: "container",
    fixable: "autofix",
    appliesTo: "all",
  },
  check(c, ctx) {
    const m = manifestPid1Analysis(c);
    const v = m?.analysis.verdict;
    if (!m || !v || v.kind !== "package-manager") return;
    const pm = m.analysis.pm!;
    const path = m.pathOf(v.index);
    const key = path[path.length - 1];
    const loc = ctx.workload.locator;
    ctx.report({
      at: loc.at(path) ?? loc.nearest(path),
      message:
        `Container "${c.name}" runs ${pm.tool} as PID 1 (${key}: ${pm.words.join(" ")}): ${why(pm)}` +
        initNote(m.analysis),
      suggestions: [
        {
          description: `Run the runtime directly with the command the ${pm.script ? `"${pm.script}" script` : "invocation"} runs (the shape below is an example).`,
          snippet: `command: ["node", "server.js"]`,
        },
      ],
      topics: ["pid1"],
    });
  },
  checkDockerfile(view, ctx) {
    const a = view.pid1;
    const v = a?.verdict;
    if (!a || !v || v.kind !== "package-manager") return;
    const ins = blame(view, v.index);
    if (!ins) return; // from the external base image: nothing in this file to change
    const pm = a.pm!;
    const target = scriptCommand(pm, view.packageJson);
    const prefix = keptPrefix(view, ins, v.index);
    const argv = [...(prefix ?? []), ...target.argv];
    // Inside `sh -c`, only a script that is just the invocation can be replaced as a whole.
    const app = a.shell?.scriptIndex === v.index ? a.shell.app : null;
    const wholeScript = !app || (app.single && isPlainCommand(app.command));
    const fixable = target.exact && wholeScript && prefix !== null;
    const line = `${ins.keyword} ${execFormText(argv)}`;
    ctx.report({
      at: ins.span,
      message:
        `${pm.tool} is PID 1 of this image (${ins.keyword}${ins.viaOnbuild ? " from an ONBUILD trigger" : ""}: ${pm.words.join(" ")}): ${why(pm)}` +
        initNote(a),
      suggestions: [
        {
          description: target.exact
            ? `Run the app directly: ${line}${fixable ? "" : " (the instruction does more than start the app: move the other steps, such as npm ci, to RUN or an init container)"}.`
            : `Run the app directly, in exec form, with the command the script runs; it could not be computed: ${target.reason}.`,
          snippet: line,
        },
      ],
      fix: fixable
        ? { description: `Replace with ${line}`, edits: [execFormEdit(ins, argv)!] }
        : null,
      topics: ["pid1"],
    });
  },
});
