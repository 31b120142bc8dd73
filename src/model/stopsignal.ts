/**
 * `STOPSIGNAL SIGKILL` in the final stage (inherited from a base stage too): the runtime's
 * first stop signal cannot be caught, so nothing drains (DOMAIN.md §5e, §11 rule 12). Reported
 * under invalid-shutdown-config.
 */
import type { Span } from "../types.js";
import type { DockerfileView } from "./dockerfile-view.js";

export interface StopSignalProblem {
  message: string;
  at: Span;
  suggestion: string;
}

const KILL = /^(SIG)?KILL$|^9$/i;

export function stopSignalProblem(view: DockerfileView): StopSignalProblem | null {
  const stop = view.config?.stopSignal;
  if (!stop || !KILL.test(stop.value)) return null;
  const where =
    view.final && stop.from.stage !== view.final.index
      ? ` (inherited by the final stage from stage ${stop.from.stage + 1})`
      : "";
  return {
    at: stop.from.span,
    message:
      `STOPSIGNAL ${stop.value}${where} makes Docker and Kubernetes runtimes stop the container with a signal that ` +
      `cannot be caught: the app gets no SIGTERM, nothing drains, and every in-flight request is cut.`,
    suggestion:
      "Remove STOPSIGNAL (the default is SIGTERM) or set a signal the app handles, such as SIGTERM or SIGINT.",
  };
}
