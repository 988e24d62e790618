/**
 * Stands in for the Node built-ins `@cryptoviz/resources` imports for its file helpers (CRD
 * writing, manifest files), which the dashboard never calls: the browser bundle gets the
 * schemas, not the file system. Calling one of these is a bug, and says so.
 */
function unavailable(name: string): never {
  throw new Error(`${name} is not available in the dashboard`);
}

export const readFile = (): never => unavailable('readFile');
export const writeFileSync = (): never => unavailable('writeFileSync');
export const join = (...parts: string[]): string => parts.join('/');
export default {};
