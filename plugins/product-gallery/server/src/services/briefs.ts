import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { DEFAULT_BRIEFS, type RoleSpec, type SlotRule } from '../domain/default-briefs';
import { DEFAULT_SLOT_PLAN } from '../domain/slot-plan';
import { UID, type Category } from '../domain/vocabulary';
import type { Brief } from '../../../shared/contracts/brief';

export const BRIEF_POPULATE = { roles: { populate: { sceneImage: true } }, slotPlan: true } as const;

export type { Brief } from '../../../shared/contracts/brief';

const stripComponentIds = <T extends Record<string, any>>(items: T[] | null | undefined) =>
  (items ?? []).map(({ id: _id, ...rest }) => rest);

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const documents = () => strapi.documents(UID.brief);
  let cached: { stamp: string; briefs: Promise<Brief[]> } | null = null;

  const service = {
    /** Create the default briefs once. Never updates: an editor's changes are theirs. */
    async seedDefaults() {
      const created: string[] = [];
      for (const seed of DEFAULT_BRIEFS) {
        const existing = await strapi.db.query(UID.brief).findOne({ where: { seedKey: seed.seedKey }, select: ['id'] });
        if (existing) continue;
        // A brief an editor already made for this category wins: don't claim it twice.
        const all = await strapi.db.query(UID.brief).findMany({ select: ['categories'] });
        const taken = new Set(all.flatMap((b: { categories: string[] | null }) => b.categories ?? []));
        const categories = seed.categories.filter((c) => !taken.has(c));
        await documents().create({
          data: { name: seed.name, categories, roles: seed.roles, slotPlan: seed.slotPlan, seedKey: seed.seedKey } as any,
        });
        created.push(seed.name);
      }
      if (created.length) strapi.log.info(`[product-gallery] created default briefs: ${created.join(', ')}`);
      return created;
    },

    /**
     * Every brief, populated. Read for each shot a dispatcher starts, so the populated list is kept
     * while one cheap query says no brief was created, deleted or edited (an edit moves updatedAt).
     */
    async list(): Promise<Brief[]> {
      const rows = await strapi.db.query(UID.brief).findMany({ select: ['id', 'updatedAt'], orderBy: { id: 'asc' } });
      const stamp = rows.map((r: any) => `${r.id}@${new Date(r.updatedAt).getTime()}`).join(',');
      // The pending read is shared: a batch's first shots all ask at once.
      if (cached?.stamp !== stamp) {
        const briefs = documents().findMany({ populate: BRIEF_POPULATE as any, sort: 'name:asc' }) as unknown as Promise<Brief[]>;
        cached = { stamp, briefs };
        briefs.catch(() => cached?.briefs === briefs && (cached = null));
      }
      return structuredClone(await cached.briefs);
    },

    async get(documentId: string): Promise<Brief> {
      const brief = await documents().findOne({ documentId, populate: BRIEF_POPULATE as any });
      if (!brief) throw new errors.NotFoundError(`No brief with id ${documentId}.`);
      return brief as unknown as Brief;
    },

    async update(documentId: string, data: Partial<Pick<Brief, 'name' | 'categories' | 'roles' | 'slotPlan'>>) {
      await service.get(documentId);
      return (await documents().update({ documentId, data: data as any, populate: BRIEF_POPULATE as any })) as unknown as Brief;
    },

    /** The brief a product is made from: its own, else its category's default. */
    async effectiveFor(product: { category: string; brief?: { documentId: string } | null }): Promise<Brief | null> {
      if (product.brief?.documentId) return service.get(product.brief.documentId);
      const all = await service.list();
      return all.find((b) => (b.categories ?? []).includes(product.category as Category)) ?? null;
    },

    async clone(documentId: string, input: { name: string; categories: Category[] }) {
      const source = await service.get(documentId);
      return (await documents().create({
        data: {
          name: input.name,
          categories: input.categories,
          roles: stripComponentIds(source.roles as any).map((r: any) => ({ ...r, sceneImage: r.sceneImage?.id ?? null })),
          slotPlan: stripComponentIds(source.slotPlan as any),
        } as any,
        populate: BRIEF_POPULATE as any,
      })) as unknown as Brief;
    },

    slotPlanOf(brief: Brief | null): SlotRule[] {
      return brief?.slotPlan?.length ? brief.slotPlan.map((s) => ({ slot: s.slot, roles: s.roles })) : DEFAULT_SLOT_PLAN;
    },

    roleSpec(brief: Brief | null, role: string): RoleSpec | undefined {
      return brief?.roles?.find((r) => r.role === role);
    },
  };
  return service;
};
