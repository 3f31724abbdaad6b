/**
 * The demo's admin and address: a demo is a full admin on the network unless it says otherwise,
 * so it gets a password nobody knows in advance and listens on this machine only.
 */
import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';

/** Where the demo listens: HOST from the environment, else this machine only. */
export const demoHost = (env: NodeJS.ProcessEnv) => env.HOST || '127.0.0.1';

/** 16 random characters that meet Strapi's admin password rules (a lower, an upper case letter and a digit). */
export const randomPassword = (): string => {
  for (;;) {
    const candidate = crypto.randomBytes(12).toString('base64url');
    if (/[a-z]/.test(candidate) && /[A-Z]/.test(candidate) && /\d/.test(candidate)) return candidate;
  }
};

/**
 * Creates the demo's super admin when the database has no admin yet: ADMIN_EMAIL and
 * ADMIN_PASSWORD, else admin@example.com and a random password. The password is returned only
 * when it was just created (to be printed once); it is never stored anywhere but as Strapi's hash.
 */
export const ensureDemoAdmin = async (strapi: Core.Strapi, env: NodeJS.ProcessEnv): Promise<{ email: string; password: string | null }> => {
  const email = env.ADMIN_EMAIL || 'admin@example.com';
  if (await strapi.db.query('admin::user').count()) return { email, password: null };
  const password = env.ADMIN_PASSWORD || randomPassword();
  const superAdmin = await strapi.db.query('admin::role').findOne({ where: { code: 'strapi-super-admin' } });
  await (strapi.service('admin::user') as any).create({
    email,
    firstname: 'Demo',
    lastname: 'Admin',
    password,
    isActive: true,
    registrationToken: null,
    roles: [superAdmin.id],
  });
  return { email, password };
};
