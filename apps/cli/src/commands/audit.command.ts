import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { auditVerifyCommand } from '@app/audit';
import { ok, type components } from '@sso-broker/client';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { apiClient } from '../api/api-context';
import { collect } from '../api/read-file';
import { positive } from './tenants.command';
import { CliError, EXIT, table, type Output } from '../output';

type AuditEvent = components['schemas']['AuditEventDto'];

/** The JSON line the verify tool prints (database or export mode). */
interface VerifyLine {
  events_checked?: number;
  checkpoints_checked?: number;
  first_broken_seq?: number | null;
  public_keys?: string | null;
  chains?: Array<{ events_checked?: number }>;
}

interface FilterOptions {
  tenant?: string;
  action?: string[];
  from?: string;
  to?: string;
  order?: 'asc' | 'desc';
}

/** A progress line on stderr while a terminal watches; nothing in a pipe or a log. */
function progressBar(format: string): SingleBar {
  return new SingleBar({ format, stream: process.stderr, hideCursor: true, noTTYOutput: false, fps: 5 });
}

/** `sso-broker audit list|export|verify` (auditor or admin key; verify reads the database). */
export function registerAuditCommands(program: Command, output: Output): void {
  const audit = program.command('audit').description('The audit log: list, export, verify');
  const filters = (command: Command) =>
    command
      .option('--tenant <tenant-id>', "the tenant's chain (an admin key without it: every tenant)")
      .option('--action <action>', 'only this action (repeatable), e.g. login_link.issued', collect)
      .option('--from <time>', 'events at or after this ISO 8601 time')
      .option('--to <time>', 'events before this ISO 8601 time')
      .option('--order <order>', 'desc (newest first, default) or asc (oldest first; needs --tenant)');
  const query = (options: FilterOptions) => ({
    tenant_id: options.tenant,
    action: options.action,
    from: options.from,
    to: options.to,
    order: options.order,
  });

  filters(audit.command('list').description('List audit events'))
    .option('--limit <n>', 'at most this many', '50')
    .action(async (options: FilterOptions & { limit: string }, command: Command) => {
      const client = apiClient(command);
      const limit = positive(options.limit, '--limit');
      const events: AuditEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await ok(
          client.GET('/v1/audit-events', {
            params: { query: { ...query(options), limit: Math.min(200, limit - events.length), cursor } as never },
          }),
        );
        events.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && events.length < limit);
      const human = table(
        ['seq', 'time', 'action', 'outcome', 'actor', 'subject', 'detail'],
        events.map((e) => [
          e.seq,
          e.occurred_at,
          e.action,
          e.outcome,
          e.actor.type === 'api_key' ? `${e.actor.role ?? 'key'} ${e.actor.id?.slice(0, 8) ?? ''}` : e.actor.type,
          e.subject.login ?? e.subject.user_id ?? e.subject.external_id,
          e.error_code ?? e.link_id ?? e.connection_id,
        ]),
      );
      output.done({ human, json: events });
    });

  filters(audit.command('export').description('Export audit events to a file (streamed), with progress and events/s'))
    .requiredOption('--output <file>', 'where to write (- for stdout)')
    .option('--format <format>', 'ndjson or csv', 'ndjson')
    .action(async (options: FilterOptions & { output: string; format: string }, command: Command) => {
      if (!['ndjson', 'csv'].includes(options.format)) throw new CliError(EXIT.USAGE, '--format is ndjson or csv');
      const { data, response } = await apiClient(command).GET('/v1/audit-events/export', {
        params: { query: { ...query(options), format: options.format } as never },
        parseAs: 'stream',
      });
      if (!data) throw new CliError(EXIT.FAILED, 'the export answered no body');
      const started = Date.now();
      let lines = 0;
      let bytes = 0;
      const bar = progressBar('exporting | {value} events | {rate} events/s | {mb} MB');
      bar.start(0, 0, { rate: 0, mb: '0.0' });
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
          const seconds = Math.max((Date.now() - started) / 1000, 0.001);
          bar.update(events(), { rate: Math.round(events() / seconds), mb: (bytes / 1e6).toFixed(1) });
          done(null, chunk);
        },
      });
      // A CSV's first line is its header.
      const events = () => (options.format === 'csv' ? Math.max(0, lines - 1) : lines);
      const sink = options.output === '-' ? process.stdout : createWriteStream(options.output, { mode: 0o600 });
      try {
        await pipeline(Readable.fromWeb(data as WebReadableStream<Uint8Array>), counter, sink);
      } finally {
        bar.stop();
      }
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const summary = {
        file: options.output,
        format: options.format,
        events: events(),
        bytes,
        seconds: Number(seconds.toFixed(3)),
        events_per_second: Math.round(events() / seconds),
        next_after_seq: response.headers.get('x-next-after-seq'),
      };
      output.note(
        `exported ${summary.events} events (${(bytes / 1e6).toFixed(1)} MB) to ${options.output} in ${summary.seconds} s, ${summary.events_per_second} events/s`,
      );
      if (options.output !== '-')
        output.done({ human: `${summary.events} events in ${options.output}`, json: summary });
    });

  audit
    .command('verify')
    .description(
      "Verify a tenant's chain and its signed checkpoints straight from the database (the embedded one by default), " +
        'or NDJSON exports offline; exit 1 when broken',
    )
    .option('--tenant <tenant-id | broker>', "the tenant's chain, or broker for the broker-wide chain")
    .option('--database-url <url>', 'default DATABASE_URL, else the embedded cluster of --data-dir')
    .option('--data-dir <dir>', 'default DATA_DIR, else ./.data')
    .option('--checkpoint <file | dir>', 'checkpoint notes (repeatable); default <data dir>/checkpoints', collect)
    .option('--public-key <vkey | file>', 'pinned verifier key (repeatable)', collect)
    .option('--export <file>', 'an NDJSON export to verify offline, with no database (repeatable)', collect)
    .action(async (options: Record<string, string | string[] | undefined>) => {
      const argv = Object.entries(options).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => [
          `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
          v,
        ]),
      );
      let verdict: VerifyLine | undefined;
      const problems: string[] = [];
      const bar = progressBar('verifying | {bar} | {value}/{total} events');
      let started = false;
      const code = await auditVerifyCommand(argv, process.env, {
        out: (line) => (verdict = JSON.parse(line) as VerifyLine),
        err: (line) => problems.push(line),
        progress: (checked, total) => {
          if (!started) bar.start(Math.max(total, checked), 0);
          started = true;
          bar.update(checked, { total: Math.max(total, checked) });
        },
      });
      bar.stop();
      for (const line of problems) output.note(line);
      if (code === 2) {
        // The tool's 2 is a usage or a connection error; the CLI tells them apart (exit codes in README).
        const unreachable = problems.some((line) => /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH/.test(line));
        throw new CliError(unreachable ? EXIT.UNREACHABLE : EXIT.USAGE, 'audit verify could not run (see above)');
      }
      const v: VerifyLine = verdict ?? {};
      const checked = v.events_checked ?? v.chains?.reduce((sum, chain) => sum + (chain.events_checked ?? 0), 0) ?? 0;
      const human =
        code === 0
          ? `intact: ${checked} events checked, ${v.checkpoints_checked ?? 0} signed checkpoints agree (keys: ${v.public_keys ?? 'none'})`
          : `BROKEN: first broken seq ${v.first_broken_seq ?? '?'} (details above)`;
      output.done({ human, json: v, exitCode: code === 0 ? EXIT.OK : EXIT.FAILED });
    });
}
