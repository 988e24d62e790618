/**
 * The Node-only side of @cryptoviz/resources (`@cryptoviz/resources/node`): reading manifest
 * files and talking to the Kubernetes API. The package's main entry stays free of Node
 * built-ins, so the dashboard's browser bundle takes the schemas without stubs.
 */
export * from './manifest-file.ts';
export * from './kube-client.ts';
