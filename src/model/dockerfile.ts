/**
 * Builds the Dockerfile view (src/model/dockerfile-view.ts): stages, the final stage's image
 * config composed as the builder does it, and the effective PID 1 argv (DOMAIN.md §5):
 * - only the final stage runs; a stage built FROM an earlier stage inherits its config
 *   (ENTRYPOINT, CMD, SHELL, STOPSIGNAL) and runs its ONBUILD triggers first;
 * - ENTRYPOINT resets an inherited CMD unless the same stage sets CMD;
 * - shell form is `SHELL + [script]` (default `/bin/sh -c`); an exec-form ENTRYPOINT gets
 *   CMD appended, a shell-form one ignores it;
 * - external base images: the official node images (`docker-entrypoint.sh` + `node`),
 *   distroless nodejs (`/nodejs/bin/node`) and `scratch` are known; any other image's
 *   ENTRYPOINT is unknown and assumed to pass CMD on.
 */
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import type { DockerInstructionNode, ParsedDockerfile } from "../parse/dockerfile.js";
import type { Edit, SourceFile } from "../types.js";
import type {
  ArgvPart,
  ConfigCommand,
  DockerInstruction,
  DockerStage,
  DockerfileView,
  ImageConfig,
  PackageJsonInfo,
} from "./dockerfile-view.js";
import { analyzeArgv, basename, type PmInvocation } from "./pid1.js";
import { appCommand, isPlainCommand, parseShellScript } from "./shell.js";

export const DEFAULT_SHELL = ["/bin/sh", "-c"];

/** File access for package.json beside the Dockerfile (injectable for tests). */
export interface SiblingReader {
  read(file: string): string | null;
  exists(file: string): boolean;
}

export const fsReader: SiblingReader = {
  read(file) {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return null;
    }
  },
  exists: (file) => existsSync(file),
};

/** `docker.io/library/node:20-alpine@sha256:…` → `node`; `gcr.io/distroless/nodejs20-debian12` stays. */
export function imageName(image: string): string {
  let s = image.replace(/@.*$/, "");
  const slash = s.lastIndexOf("/");
  const colon = s.lastIndexOf(":");
  if (colon > slash) s = s.slice(0, colon);
  return s.replace(/^(docker\.io\/|index\.docker\.io\/)/, "").replace(/^library\//, "");
}

function externalConfig(resolved: string | null): ImageConfig {
  const config: ImageConfig = {
    entrypoint: undefined,
    cmd: undefined,
    shell: { argv: DEFAULT_SHELL, from: null },
    stopSignal: null,
    onbuild: [],
  };
  if (resolved === null) return config;
  const name = imageName(resolved);
  const inherited = (argv: string[]): ConfigCommand => ({
    argv,
    parts: argv.map((text) => ({ text, from: null })),
    form: "exec",
    from: null,
  });
  if (resolved === "scratch") {
    config.entrypoint = null;
    config.cmd = null;
  } else if (name === "node") {
    // nodejs/docker-node: ENTRYPOINT ["docker-entrypoint.sh"], CMD ["node"] (DOMAIN.md §5a).
    config.entrypoint = inherited(["docker-entrypoint.sh"]);
    config.cmd = inherited(["node"]);
  } else if (/^gcr\.io\/distroless\/nodejs/.test(name)) {
    config.entrypoint = inherited(["/nodejs/bin/node"]);
    config.cmd = null;
  }
  return config;
}

/** `$X`, `${X}`, `${X:-d}` with the ARGs declared before the first FROM; null when unknown. */
function substituteArgs(s: string, args: Map<string, string | null>): string | null {
  let unknown = false;
  const out = s.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_m, braced: string | undefined, def: string | undefined, bare: string | undefined) => {
      const v = args.get((braced ?? bare)!);
      if (v) return v;
      if (def !== undefined) return def;
      unknown = true;
      return "";
    },
  );
  return unknown ? null : out;
}

function instruction(
  n: DockerInstructionNode,
  stage: number,
  viaOnbuild = false,
): DockerInstruction {
  return {
    keyword: n.keyword,
    span: n.span,
    args: n.args,
    argsSpan: n.argsSpan,
    json: n.json,
    stage,
    viaOnbuild,
  };
}

function command(ins: DockerInstruction, shell: ImageConfig["shell"]): ConfigCommand | null {
  if (ins.json) {
    if (ins.json.length === 0) return null;
    return {
      argv: ins.json,
      parts: ins.json.map((text) => ({ text, from: ins })),
      form: "exec",
      from: ins,
    };
  }
  const script = ins.args.trim();
  if (!script) return null;
  const parts: ArgvPart[] = [
    ...shell.argv.map((text) => ({ text, from: shell.from })),
    { text: script, from: ins },
  ];
  return { argv: parts.map((p) => p.text), parts, form: "shell", from: ins };
}

function apply(
  config: ImageConfig,
  ins: DockerInstruction,
  cmdSet: { value: boolean },
  trigger: DockerInstruction | null,
) {
  switch (ins.keyword) {
    case "SHELL":
      if (ins.json?.length) config.shell = { argv: ins.json, from: ins };
      break;
    case "ENTRYPOINT":
      config.entrypoint = command(ins, config.shell);
      if (!cmdSet.value) config.cmd = null; // ENTRYPOINT resets the inherited CMD
      break;
    case "CMD":
      config.cmd = command(ins, config.shell);
      cmdSet.value = true;
      break;
    case "STOPSIGNAL":
      config.stopSignal = { value: ins.args.trim(), from: ins };
      break;
    case "ONBUILD":
      if (trigger) config.onbuild.push(trigger);
      break;
  }
}

function parseFrom(args: string): { image: string; name: string | null } {
  const words = args
    .trim()
    .split(/\s+/)
    .filter((w) => !w.startsWith("--"));
  const as = words.findIndex((w, i) => i > 0 && w.toLowerCase() === "as");
  return { image: words[0] ?? "", name: as > 0 ? (words[as + 1] ?? null) : null };
}

export function buildDockerfileView(
  file: SourceFile,
  parsed: ParsedDockerfile,
  reader: SiblingReader = fsReader,
): DockerfileView {
  const stages: DockerStage[] = [];
  const configs: ImageConfig[] = [];
  const globalArgs = new Map<string, string | null>();
  let cmdSet = { value: false };
  let config: ImageConfig | null = null;
  for (const n of parsed.instructions) {
    if (n.keyword === "FROM") {
      const { image, name } = parseFrom(n.args);
      const resolved = substituteArgs(image, globalArgs);
      const base = resolved
        ? stages.findIndex((s) => s.name !== null && s.name === resolved.toLowerCase())
        : -1;
      const index = stages.length;
      const from = instruction(n, index);
      stages.push({
        index,
        name: name ? name.toLowerCase() : null,
        image,
        resolvedImage: resolved,
        baseStage: base >= 0 ? base : null,
        from,
        instructions: [from],
      });
      config = base >= 0 ? { ...configs[base], onbuild: [] } : externalConfig(resolved);
      configs.push(config);
      cmdSet = { value: false };
      // The base stage's ONBUILD triggers run first, at the start of this stage.
      if (base >= 0) for (const t of configs[base].onbuild) apply(config, t, cmdSet, null);
      continue;
    }
    if (!config) {
      if (n.keyword === "ARG") {
        for (const decl of n.args.trim().split(/\s+/)) {
          const eq = decl.indexOf("=");
          if (eq < 0) globalArgs.set(decl, null);
          else globalArgs.set(decl.slice(0, eq), decl.slice(eq + 1).replace(/^"(.*)"$/, "$1"));
        }
      }
      continue;
    }
    const stage = stages[stages.length - 1];
    const ins = instruction(n, stage.index);
    stage.instructions.push(ins);
    const trigger = n.trigger ? instruction(n.trigger, stage.index, true) : null;
    apply(config, ins, cmdSet, trigger);
  }
  const final = stages[stages.length - 1] ?? null;
  const finalConfig = configs[configs.length - 1] ?? null;
  const view: DockerfileView = {
    file,
    escape: parsed.escape,
    stages,
    final,
    config: finalConfig,
    argv: null,
    pid1: null,
    unknown: [],
    packageJson: null,
  };
  if (!final || !finalConfig) return view;
  const { entrypoint, cmd } = finalConfig;
  const baseName = final.resolvedImage ?? final.image;
  let argv: ArgvPart[] | null = null;
  if (entrypoint === undefined) {
    if (cmd) {
      view.unknown.push(
        `the ENTRYPOINT of ${baseName} is not known; it is assumed to run CMD (as most entrypoints do)`,
      );
      argv = cmd.parts;
    } else
      view.unknown.push(`ENTRYPOINT and CMD come from ${baseName}, which drainlint does not know`);
  } else if (entrypoint === null) {
    if (cmd) argv = cmd.parts;
    else if (cmd === undefined)
      view.unknown.push(`CMD comes from ${baseName}, which drainlint does not know`);
  } else {
    argv =
      entrypoint.form === "exec" && cmd ? [...entrypoint.parts, ...cmd.parts] : entrypoint.parts;
  }
  if (argv) {
    view.argv = argv;
    view.pid1 = analyzeArgv(argv.map((p) => p.text));
    if (view.pid1.pm) view.packageJson = readPackageJson(file, reader);
  }
  return view;
}

function readPackageJson(file: SourceFile, reader: SiblingReader): PackageJsonInfo | null {
  if (!file.path) return null;
  const dir = path.dirname(file.path);
  const pkgPath = path.join(dir, "package.json");
  const display = path.posix.join(path.posix.dirname(file.displayPath), "package.json");
  const text = reader.read(pkgPath);
  if (text === null) return null;
  const info: PackageJsonInfo = {
    path: display,
    scripts: null,
    error: null,
    hasServerJs: reader.exists(path.join(dir, "server.js")),
  };
  try {
    const pkg: unknown = JSON.parse(text);
    const scripts = (pkg as { scripts?: unknown } | null)?.scripts;
    info.scripts = {};
    if (scripts && typeof scripts === "object" && !Array.isArray(scripts))
      for (const [k, v] of Object.entries(scripts)) if (typeof v === "string") info.scripts[k] = v;
  } catch (e) {
    info.error = `${display} is not valid JSON (${(e as Error).message})`;
  }
  return info;
}

/** The instruction an argv index comes from, or null (base image, default SHELL). */
export function blame(view: DockerfileView, index: number): DockerInstruction | null {
  return view.argv?.[index]?.from ?? null;
}

/** Exec form as written in a Dockerfile: `["node", "server.js"]`. */
export function execFormText(argv: string[]): string {
  return `[${argv.map((a) => JSON.stringify(a)).join(", ")}]`;
}

/**
 * The argv elements of `ins` to keep (init wrappers) when the rest of it, from the program or
 * script at `index` on, is replaced by an exec form. Null when that would change what runs:
 * a later instruction appends arguments, the shell comes from elsewhere, the instruction
 * is not in the final stage, or it is a shell-form ENTRYPOINT beside a CMD.
 */
export function keptPrefix(
  view: DockerfileView,
  ins: DockerInstruction,
  index: number,
): string[] | null {
  const argv = view.argv;
  const a = view.pid1;
  if (!argv || !a || !ins.argsSpan || ins.viaOnbuild || ins.stage !== view.final?.index)
    return null;
  const s = argv.findIndex((p) => p.from === ins);
  if (s < 0) return null;
  let e = s;
  while (e < argv.length && argv[e].from === ins) e++;
  if (e !== argv.length) return null;
  if (ins.keyword === "ENTRYPOINT" && view.config?.cmd) return null;
  const isScript = a.shell?.scriptIndex === index;
  if (isScript && index !== e - 1) return null; // arguments after the script ($0, $1…)
  if (ins.json === null) return [];
  const start = isScript ? a.programIndex : index;
  if (start < s) return null;
  return ins.json.slice(0, start - s);
}

/** Replaces the instruction's arguments (continuation lines included) with an exec form. */
export function execFormEdit(ins: DockerInstruction, argv: string[]): Edit | null {
  if (!ins.argsSpan) return null;
  return { start: ins.argsSpan.offset, end: ins.argsSpan.endOffset, text: execFormText(argv) };
}

export interface ScriptCommand {
  /** The exec-form argv that runs the app directly (exact, or the shape to follow). */
  argv: string[];
  /** True when computed from package.json and safe to write. */
  exact: boolean;
  /** Why it is not exact. */
  reason: string | null;
}

const GUESS = ["node", "server.js"];

/**
 * What a package manager invocation runs, from package.json beside the Dockerfile: the
 * script (npm's default `node server.js` for a missing start script when server.js exists)
 * when it is one plain command run by node (DOMAIN.md §5c).
 */
export function scriptCommand(pm: PmInvocation, pkg: PackageJsonInfo | null): ScriptCommand {
  const guess = (reason: string): ScriptCommand => ({ argv: GUESS, exact: false, reason });
  if (!pm.script) return guess(`${pm.tool} resolves the program to run at run time`);
  if (!pkg)
    return guess(
      `there is no package.json beside the Dockerfile to read the "${pm.script}" script from`,
    );
  if (pkg.error || !pkg.scripts) return guess(pkg.error ?? `${pkg.path} cannot be read`);
  const name = pm.script;
  let body = pkg.scripts[name];
  if (body === undefined) {
    if (name === "start" && pm.tool === "npm" && pkg.hasServerJs) body = "node server.js";
    else return guess(`${pkg.path} has no "${name}" script`);
  }
  for (const hook of [`pre${name}`, `post${name}`])
    if (pkg.scripts[hook] !== undefined)
      return guess(`${pm.tool} also runs the "${hook}" script, which the exec form would skip`);
  const parsed = parseShellScript(body);
  const app = appCommand(parsed);
  if (
    !app ||
    parsed.error ||
    parsed.complex ||
    parsed.commands.length !== 1 ||
    !isPlainCommand(app.command)
  )
    return guess(`the "${name}" script ("${body}") is not one plain command`);
  const argv = [...app.words.map((w) => w.text), ...pm.extraArgs];
  if (basename(argv[0]) !== "node") {
    const local = [`node_modules/.bin/${argv[0]}`, ...argv.slice(1)];
    return {
      argv: local,
      exact: false,
      reason: `"${argv[0]}" is found through node_modules/.bin, which ${pm.tool} puts on PATH; check the path in the image`,
    };
  }
  return { argv, exact: true, reason: null };
}
