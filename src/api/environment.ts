/**
 * The library's edge: where an operation called without a context takes its defaults, from this process exactly
 * as the CLI does (bin.ts hands the same values to the CLI). The only module of the library that reads `process`.
 */
import { homedir } from 'node:os';
import type { NodeRuntime } from '../oci/platform.js';
import type { Env } from '../util/env.js';

export interface Environment {
  /** Environment variables: DOCKER_CONFIG, REGCTL_CONFIG, XDG_*, HTTP(S)_PROXY, REGCTL_NO_CACHE, … */
  env: Env;
  /** The home directory (~/.docker/config.json, ~/.config/regctl, the local store). */
  homedir: string;
  /** The machine: its platform is what pull and save take out of a multi-platform index. */
  runtime: NodeRuntime;
}

/** This process's environment variables, home directory and platform. */
export function processEnvironment(): Environment {
  const variables = process.config.variables as unknown as Record<string, unknown>;
  return {
    env: process.env,
    homedir: homedir(),
    runtime: { platform: process.platform, arch: process.arch, version: process.version, armVersion: String(variables.arm_version ?? '') },
  };
}
