#!/usr/bin/env node
// The command runs from its TypeScript sources in a checkout (tsx compiles them on load), so
// an edit needs no build step; what `cryptoviz up` starts runs compiled (src/build/compile.ts),
// and the image runs the compiled command itself (node dist/cryptoviz.js).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
