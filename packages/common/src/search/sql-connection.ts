// One SQL connection to SQLite (better-sqlite3) or PostgreSQL (pg) behind the same small async interface. SQL is
// written with `?` placeholders; PostgreSQL gets them renumbered as $1, $2, ... Calls are serialised per connection,
// so a transaction is never interleaved with another caller's statements (a heartbeat timer, say).
// The drivers load on first use, so that importing @research/common does not load a native addon or pg.
import type Database from 'better-sqlite3';
import type { Client as PgClient } from 'pg';

export type Dialect = 'sqlite' | 'postgresql';
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  readonly dialect: Dialect;
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
}

export interface SqlConnection extends SqlExecutor {
  /** A write transaction: SQLite BEGIN IMMEDIATE (writers queue on busy_timeout), PostgreSQL READ COMMITTED. */
  write<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** A read-only snapshot: SQLite BEGIN DEFERRED, PostgreSQL REPEATABLE READ READ ONLY. */
  read<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A promise chain that runs one task at a time. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export interface SqliteOptions {
  /** How long a writer waits for the database lock before failing (ms). */
  busyTimeoutMs?: number;
  /**
   * 'wal' (default): write-ahead log with synchronous=NORMAL, ~0.1 ms per commit instead of ~25 ms (one fsync per
   * transaction) on this machine's disk, and readers never block the writer. The mode is stored in the file;
   * Python's sqlite3 (and so Optuna) opens WAL databases on the same host. 'keep' leaves the file's mode alone.
   */
  journalMode?: 'wal' | 'keep';
}

export async function openSqlite(path: string, opts: SqliteOptions = {}): Promise<SqlConnection> {
  const { default: BetterSqlite } = await import('better-sqlite3');
  const db = new BetterSqlite(path, { timeout: opts.busyTimeoutMs ?? 600_000 });
  db.pragma('foreign_keys = ON');
  if ((opts.journalMode ?? 'wal') === 'wal' && path !== ':memory:') {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  const mutex = new Mutex();
  // Prepared once per SQL text: preparing was the largest cost of a trial's storage calls.
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (statements.size > 500) statements.clear();
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const begin = { IMMEDIATE: db.prepare('BEGIN IMMEDIATE'), DEFERRED: db.prepare('BEGIN DEFERRED') };
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const exec: SqlExecutor = {
    dialect: 'sqlite',
    all: async (sql, params = []) => prepare(sql).all(...params.map(sqliteParam)) as Row[],
    run: async (sql, params = []) => {
      const stmt = prepare(sql);
      if (stmt.reader) return stmt.all(...params.map(sqliteParam)).length;
      return stmt.run(...params.map(sqliteParam)).changes;
    },
  };
  const transaction = async <T>(mode: 'IMMEDIATE' | 'DEFERRED', fn: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
    mutex.run(async () => {
      begin[mode].run();
      try {
        const result = await fn(exec);
        commit.run();
        return result;
      } catch (e) {
        if (db.inTransaction) rollback.run();
        throw e;
      }
    });
  return {
    dialect: 'sqlite',
    all: (sql, params) => mutex.run(() => exec.all(sql, params)),
    run: (sql, params) => mutex.run(() => exec.run(sql, params)),
    write: (fn) => transaction('IMMEDIATE', fn),
    read: (fn) => transaction('DEFERRED', fn),
    close: async () => {
      await mutex.run(async () => db.close());
    },
  };
}

function sqliteParam(p: unknown): unknown {
  if (typeof p === 'boolean') return p ? 1 : 0;
  return p;
}

function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** TIMESTAMP WITHOUT TIME ZONE as the text PostgreSQL prints, as SQLite stores it (no time-zone shifting). */
const TIMESTAMP_OID = 1114;

export async function openPostgres(url: string): Promise<SqlConnection> {
  const { Client, types: pgTypes } = await import('pg');
  const client: PgClient = new Client({
    connectionString: url,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === TIMESTAMP_OID ? (v: string) => v : pgTypes.getTypeParser(oid, format as 'text')) as never,
    },
  });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(
      `cannot connect to PostgreSQL at ${redact(url)}: ${(e as Error).message} ` +
        '(start a local server with tools/scripts/postgres.sh start)',
      { cause: e },
    );
  }
  const mutex = new Mutex();
  const exec: SqlExecutor = {
    dialect: 'postgresql',
    all: async (sql, params = []) => (await client.query(numberPlaceholders(sql), params)).rows as Row[],
    run: async (sql, params = []) => (await client.query(numberPlaceholders(sql), params)).rowCount ?? 0,
  };
  const transaction = async <T>(begin: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
    mutex.run(async () => {
      await client.query(begin);
      try {
        const result = await fn(exec);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    });
  return {
    dialect: 'postgresql',
    all: (sql, params) => mutex.run(() => exec.all(sql, params)),
    run: (sql, params) => mutex.run(() => exec.run(sql, params)),
    write: (fn) => transaction('BEGIN', fn),
    read: (fn) => transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn),
    close: async () => {
      await mutex.run(() => client.end());
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
