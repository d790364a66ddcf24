import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../support/paths.js';

/** docker-compose.yml as Compose reads it (YAML merge keys resolved), and its bind mounts. */

export interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test: string[] };
  ports?: string[];
}

export interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

export const COMPOSE_PATH = join(REPO_ROOT, 'docker-compose.yml');

export function readCompose(): ComposeFile {
  return parse(readFileSync(COMPOSE_PATH, 'utf8'), { merge: true }) as ComposeFile;
}

export interface BindMount {
  service: string;
  /** Path relative to the repository root. */
  source: string;
  target: string;
  readOnly: boolean;
}

/** Volumes of the short form `./host:/container[:ro]`; named volumes are left out. */
export function bindMounts(compose: ComposeFile): BindMount[] {
  return Object.entries(compose.services).flatMap(([service, s]) =>
    (s.volumes ?? []).flatMap((spec) => {
      const [source = '', target = '', mode = ''] = spec.split(':');
      if (!source.startsWith('.') && !isAbsolute(source)) return [];
      return [
        { service, source: relative(REPO_ROOT, join(REPO_ROOT, source)), target, readOnly: mode === 'ro' },
      ];
    }),
  );
}

/** Maps a path inside a service's container to the repository file mounted there, if any. */
export function hostPathOf(
  mounts: readonly BindMount[],
  service: string,
  containerPath: string,
): string | null {
  for (const m of mounts.filter((x) => x.service === service)) {
    if (containerPath === m.target || containerPath.startsWith(`${m.target}/`)) {
      const host = join(REPO_ROOT, m.source, containerPath.slice(m.target.length));
      return existsSync(host) || containerPath.includes('*') ? host : null;
    }
  }
  return null;
}

/** A service's `${VAR:-default}` interpolations resolved to their defaults, as with an empty .env. */
export function withDefaults(value: string): string {
  return value.replace(
    /\$\{(\w+)(?::?[-?]([^}]*))?\}/g,
    (_m, _name, fallback: string | undefined) => fallback ?? '',
  );
}
