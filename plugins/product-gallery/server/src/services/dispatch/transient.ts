/**
 * Database errors that say nothing about the work, only about the moment: SQLite busy or locked by
 * another process's write, PostgreSQL restarting, a dropped connection, a serialization conflict
 * or deadlock. The dispatcher tries the stage again later instead of failing the image for it.
 */
const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED)/;
// 08: connection exceptions; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now;
// 40001: serialization failure; 40P01: deadlock detected.
const PG_TRANSIENT = /^(08|57P0[123]$|40001$|40P01$)/;
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);
const MESSAGES = /database is locked|database table is locked|Connection terminated|terminating connection|Knex: Timeout acquiring a connection/i;

export const isTransientDatabaseError = (error: unknown): boolean => {
  for (let e: any = error, depth = 0; e && depth < 4; e = e.cause, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (SQLITE_TRANSIENT.test(code) || PG_TRANSIENT.test(code) || NETWORK.has(code)) return true;
    if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  }
  return false;
};
