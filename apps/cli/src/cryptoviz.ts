/**
 * The one entry of the compiled platform (`node dist/cryptoviz.js <role|command> …`), in the
 * image and under `cryptoviz up`. A role loads only its own service, so a worker carries
 * neither the CLI nor the other roles; anything else is a command of the CLI (migrate, …).
 */
const ROLES: Record<string, () => Promise<unknown>> = {
  fetcher: () => import('@cryptoviz/fetcher/main'),
  writer: () => import('@cryptoviz/writer/main'),
  predictor: () => import('@cryptoviz/predictor/main'),
  controller: () => import('@cryptoviz/controller/main'),
  gateway: () => import('@cryptoviz/gateway/main'),
  web: () => import('@cryptoviz/web/main'),
};

const role = process.argv[2];
if (role !== undefined && Object.hasOwn(ROLES, role)) await ROLES[role]!();
else await import('./main.ts');
