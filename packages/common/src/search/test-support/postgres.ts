// A real PostgreSQL server for the tests: reuse one listening on 127.0.0.1:55432, else start one with
// tools/scripts/postgres.sh (Debian's postgresql package), and give each test file its own database.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';

export const PG_ADMIN_URL = process.env.SEARCH_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:55432/postgres';
const SCRIPT = path.resolve(__dirname, '../../../../../tools/scripts/postgres.sh');
const PG_BIN = '/usr/lib/postgresql/15/bin';

async function canConnect(): Promise<boolean> {
  const client = new Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** Make sure a server answers at PG_ADMIN_URL (starting one if needed) and create a fresh database in it. */
export async function freshPostgresDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!(await canConnect())) {
    if (!fs.existsSync(path.join(PG_BIN, 'pg_ctl'))) {
      throw new Error(
        `PostgreSQL tests need a server: none answers at ${PG_ADMIN_URL} and ${PG_BIN}/pg_ctl is ` +
          'missing; install it with: apt-get install -y postgresql',
      );
    }
    let startError = '';
    try {
      execFileSync(SCRIPT, ['start'], { stdio: 'pipe' });
    } catch (e) {
      // Another test file may be starting the same server right now: wait for it below.
      startError = String((e as { stderr?: Buffer }).stderr ?? e);
    }
    let up = await canConnect();
    for (let i = 0; i < 30 && !up; i++) {
      await new Promise((r) => setTimeout(r, 500));
      up = await canConnect();
    }
    if (!up) throw new Error(`started PostgreSQL with ${SCRIPT} but ${PG_ADMIN_URL} does not answer ${startError}`);
  }
  const name = `${prefix}_${process.pid}_${Date.now()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
