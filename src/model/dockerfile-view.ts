/**
 * The Dockerfile view rules with target `dockerfile` receive (built in src/model/dockerfile.ts):
 * the stages, the final stage's effective image config (ENTRYPOINT, CMD, SHELL, STOPSIGNAL,
 * composed as the builder does) and the PID 1 argv it gives, each part tied to the
 * instruction that put it there.
 */
import type { SourceFile, Span } from "../types.js";
import type { Pid1Analysis } from "./pid1.js";

export interface DockerInstruction {
  keyword: string;
  /** Where a finding about it points: the instruction (or the ONBUILD that registered it). */
  span: Span;
  args: string;
  argsSpan: Span | null;
  /** Exec form argv, or null for shell form. */
  json: string[] | null;
  /** Index of the stage whose instructions list it. */
  stage: number;
  /** True when it runs here as an ONBUILD trigger of the base stage. */
  viaOnbuild: boolean;
}

export interface DockerStage {
  index: number;
  /** `AS name`, lower-cased as the builder matches it. */
  name: string | null;
  /** The image of FROM as written, and with build ARGs substituted (null if unresolvable). */
  image: string;
  resolvedImage: string | null;
  /** The earlier stage this one is built FROM, or null for an external image. */
  baseStage: number | null;
  from: DockerInstruction;
  instructions: DockerInstruction[];
}

/** ENTRYPOINT or CMD as the image config holds it. */
export interface ConfigCommand {
  argv: string[];
  /** The argv with each element's instruction (shell form: the SHELL words, then the script). */
  parts: ArgvPart[];
  form: "exec" | "shell";
  /** The instruction that set it, or null when it comes from an external base image. */
  from: DockerInstruction | null;
}

export interface ImageConfig {
  /** Undefined: inherited from an external image we do not know. Null: none. */
  entrypoint: ConfigCommand | null | undefined;
  cmd: ConfigCommand | null | undefined;
  /** The SHELL in effect for shell form, and the instruction that set it (null: default). */
  shell: { argv: string[]; from: DockerInstruction | null };
  stopSignal: { value: string; from: DockerInstruction } | null;
  /** ONBUILD triggers registered for images built FROM this one. */
  onbuild: DockerInstruction[];
}

/** One argv element of PID 1 and the instruction it comes from (null: the base image or SHELL default). */
export interface ArgvPart {
  text: string;
  from: DockerInstruction | null;
}

export interface DockerfileView {
  file: SourceFile;
  escape: string;
  stages: DockerStage[];
  /** The stage that runs (the last one). */
  final: DockerStage | null;
  config: ImageConfig | null;
  /** The effective PID 1 argv, or null when it cannot be known (see `unknown`). */
  argv: ArgvPart[] | null;
  /** The argv analysis (DOMAIN.md §5), or null with `argv`. */
  pid1: Pid1Analysis | null;
  /** Why the argv is incomplete or unknown, in words. */
  unknown: string[];
  /** package.json beside the Dockerfile, for exact exec-form fixes. */
  packageJson: PackageJsonInfo | null;
}

export interface PackageJsonInfo {
  /** Display path of the file. */
  path: string;
  scripts: Record<string, string> | null;
  /** Why it could not be read, when it could not. */
  error: string | null;
  /** Files beside it that npm's defaults depend on (`server.js`). */
  hasServerJs: boolean;
}
