import { startApp } from '../support/strapi';
it('debug', async () => {
  const app = await startApp();
  const k = app.strapi.db.connection;
  await new Promise((r) => setTimeout(r, 1500));
  const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } });
  const perms = await app.strapi.db.query('plugin::users-permissions.permission').findMany({ where: { action: 'plugin::product-gallery.gallery.findOne', role: role.id } });
  console.log(perms.map((p: any) => p.id));
  const r = await app.strapi.db.query('plugin::users-permissions.permission').deleteMany({ where: { id: { $in: perms.map((p: any) => p.id) } } });
  console.log(r, await k('up_permissions').where('action', 'like', '%product-gallery%').select('id', 'action'));
  const g = app.strapi.plugin('product-gallery').service('gallery');
  console.log([...(await g.publicActions())]);
  const res = await app.http.get('/api/product-gallery/galleries/nothing');
  console.log(res.status, res.body);
  await app.stop();
});
