/** The Dockerfile view rules with target `dockerfile` receive (built in src/model/dockerfile.ts). */
import type { SourceFile } from "../types.js";

export interface DockerfileView {
  file: SourceFile;
}
