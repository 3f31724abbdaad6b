import { Client } from 'pg';
import { COST_LEDGER_LOCK } from '../../plugins/product-gallery/server/src/repositories/low-level';
import { describeWithServices } from '../support/services';

/**
 * The cost ledger's advisory lock on one PostgreSQL server shared by two apps: each app (its own
 * schema) waits only on its own bookings. Keyed on the server alone, a booking in one app would
 * hold up every other app's until it committed.
 */
const URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMAS = ['ledger_app_a', 'ledger_app_b'];

describeWithServices('cost ledger lock', ['postgres'])('cost ledger lock: one per database and schema', () => {
  const clients: Client[] = [];
  const connect = async (schema: string) => {
    const c = new Client({ connectionString: URL });
    await c.connect();
    clients.push(c);
    await c.query(`set search_path to ${schema}`);
    // A lock that is not free is reported at once instead of waited for.
    await c.query(`set lock_timeout to '500ms'`);
    await c.query('begin');
    return c;
  };

  beforeAll(async () => {
    const admin = new Client({ connectionString: URL });
    await admin.connect();
    for (const s of SCHEMAS) await admin.query(`create schema if not exists ${s}`);
    await admin.end();
  });
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => {});
    const admin = new Client({ connectionString: URL });
    await admin.connect();
    for (const s of SCHEMAS) await admin.query(`drop schema if exists ${s} cascade`);
    await admin.end();
  });

  it("a booking in one app's schema holds up that app's next booking, not another app's", async () => {
    const first = await connect(SCHEMAS[0]);
    await first.query(COST_LEDGER_LOCK);
    const otherApp = await connect(SCHEMAS[1]);
    await expect(otherApp.query(COST_LEDGER_LOCK)).resolves.toBeTruthy();
    const sameApp = await connect(SCHEMAS[0]);
    await expect(sameApp.query(COST_LEDGER_LOCK)).rejects.toMatchObject({ code: '55P03' });
  });
});
