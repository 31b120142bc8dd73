/**
 * The Dockerfile part of the pipeline: parse (one `parse-error` for a file the builder would
 * refuse; the file is then not linted), build the view, run the `dockerfile` rules and the
 * container/pod rules that also read Dockerfiles (`checkDockerfile`). STOPSIGNAL SIGKILL is
 * reported for invalid-shutdown-config here while that rule does not read Dockerfiles itself.
 */
import { buildDockerfileView, fsReader, type SiblingReader } from "../model/dockerfile.js";
import type { DockerfileView } from "../model/dockerfile-view.js";
import { stopSignalProblem } from "../model/stopsignal.js";
import { parseDockerfile } from "../parse/dockerfile.js";
import type { LintSettings, SourceFile } from "../types.js";
import type { Report, Rule, RuleMeta } from "./rule.js";

export type DockerfileEmit = (meta: RuleMeta, report: Report) => void;

export function lintDockerfile(
  source: SourceFile,
  rules: ReadonlyArray<Rule>,
  settings: LintSettings,
  emit: DockerfileEmit,
  reader: SiblingReader = fsReader,
): DockerfileView | null {
  const parsed = parseDockerfile(source.text);
  if (parsed.error) {
    const meta = rules.find((r) => r.meta.id === "parse-error")?.meta;
    if (meta)
      emit(meta, {
        at: parsed.error.span,
        message: `Dockerfile syntax error: ${parsed.error.message}; docker build would refuse this file. It is not linted.`,
        suggestions: [
          {
            description:
              "Fix the instruction at this position (see https://docs.docker.com/reference/dockerfile/).",
          },
        ],
      });
    return null;
  }
  const view = buildDockerfileView(source, parsed, reader);
  for (const rule of rules) {
    const meta = rule.meta;
    const ctx = { settings, report: (r: Report) => emit(meta, r) };
    if (meta.target === "dockerfile" && rule.check)
      (rule.check as (v: DockerfileView, c: typeof ctx) => void)(view, ctx);
    if (rule.checkDockerfile) rule.checkDockerfile(view, ctx);
    if (meta.id === "invalid-shutdown-config" && !rule.checkDockerfile) {
      const p = stopSignalProblem(view);
      if (p)
        emit(meta, {
          at: p.at,
          message: p.message,
          suggestions: [{ description: p.suggestion }],
          topics: ["stopSignal"],
        });
    }
  }
  return view;
}
