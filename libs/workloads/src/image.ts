/**
 * The image contract, shared by what builds the image (Dockerfile, `npm run build:image`) and
 * what runs it (the controller's Deployments, the Helm chart): one image holds every role, and
 * its entrypoint takes the role (or a CLI command such as `migrate`) as its argument.
 */

/** Where the platform lives inside the image. */
export const IMAGE_APP_DIR = '/app';

/** The compiled platform's one entry file, in a build folder (`<build>/cryptoviz.js`). */
export const ENTRY_FILE = 'cryptoviz.js';

/**
 * V8 flags every role runs with, in the image and under `cryptoviz up` alike. A worker's heap
 * is small, so V8 is told to keep it so: a young generation of 1 MB a half instead of up to 16,
 * and a first old-generation limit of 16 MB, so the garbage of loading the code is collected
 * early instead of kept. It takes 5–10 MB off each worker's RSS; the writer pays for it with
 * 5–20 % more CPU a tick at full ingest (docs/BENCHMARKS.md, Workers). `--optimize-for-size`
 * saves the same memory but nearly doubles the writer's CPU a tick. Command-line flags, because
 * NODE_OPTIONS refuses `--initial-heap-size`.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--initial-heap-size=16'];

/** `node <flags> /app/dist/cryptoviz.js`, followed by the role. */
export const IMAGE_ENTRYPOINT: readonly string[] = [
  'node',
  ...NODE_FLAGS,
  `${IMAGE_APP_DIR}/dist/${ENTRY_FILE}`,
];

/** The image's user and group: not root, and an id no host account is likely to have. */
export const IMAGE_UID = 10001;

/** The image every role runs from unless the controller is told otherwise (WORKER_IMAGE). */
export const DEFAULT_IMAGE = 'ghcr.io/cryptoviz/cryptoviz:0.1.0';
