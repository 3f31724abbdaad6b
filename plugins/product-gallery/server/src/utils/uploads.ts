import fs from 'node:fs/promises';

type UploadedFile = { filepath?: string };

/**
 * Deletes the temp files koa-body wrote for a multipart request. Strapi deletes only those of a
 * field named `files`, and only when the request succeeded; every other upload would stay in the
 * temp folder for good.
 */
export const removeUploadedFiles = async (ctx: { request: { files?: Record<string, UploadedFile | UploadedFile[]> } }) => {
  const files = Object.values(ctx.request.files ?? {}).flat();
  await Promise.all(files.map((f) => (f?.filepath ? fs.rm(f.filepath, { force: true }).catch(() => undefined) : undefined)));
};
